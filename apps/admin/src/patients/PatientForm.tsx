/**
 * The patient form shared by create and edit: personal details, clinical details, preferences
 * (unit, personal target range, timezone). The target range is stored in mg/dL; it is typed and
 * shown in the staff member's display unit. Server refusals highlight the named field (the data
 * provider turns `errors` of the problem response into form errors, in the user's language).
 */
import { Divider, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import {
  AutocompleteInput,
  DateInput,
  email,
  maxLength,
  NumberInput,
  regex,
  required,
  SelectInput,
  SimpleForm,
  TextInput,
  useTranslate,
} from 'react-admin';
import { CONSENSUS } from '../glucose/colors';
import { formatGlucose, type GlucoseUnit, roundForDisplay, toMgdl } from '../glucose/units';
import { useGlucoseUnit } from '../glucose/useGlucoseUnit';

const DIABETES = ['type1', 'type2', 'gestational', 'lada', 'mody', 'other'] as const;

/** Every IANA zone the browser knows (Intl), the clinic's first. */
export function timezoneChoices(): { id: string; name: string }[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const first = 'America/Argentina/Buenos_Aires';
  return [first, ...zones.filter((z) => z !== first)].map((z) => ({ id: z, name: z.replace(/_/g, ' ') }));
}

export const validateDni = [
  required(),
  // The API strips dots, spaces and hyphens, then wants 7–9 digits.
  (value: string) => (value && !/^[0-9]{7,9}$/.test(value.replace(/[.\s-]/g, '')) ? 'dfy.validation.dni' : undefined),
];
const validateName = [required(), maxLength(100)];
const validateEmail = [required(), email('dfy.validation.email')];

/** mg/dL (stored, integer) ⇄ the display unit, for the target range inputs. */
export function targetFormat(unit: GlucoseUnit) {
  return (mgdl: number | null | undefined) => (mgdl == null ? null : roundForDisplay(mgdl, unit));
}
export function targetParse(unit: GlucoseUnit) {
  return (value: number | string | null) => {
    if (value === null || value === '') return null;
    const n = Number(value);
    return Number.isFinite(n) ? Math.round(toMgdl(n, unit)) : null;
  };
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const translate = useTranslate();
  return (
    <>
      <Typography variant="subtitle1" component="h2" sx={{ mt: 2, fontWeight: 600 }}>
        {translate(title)}
      </Typography>
      <Divider sx={{ mb: 1, width: '100%' }} />
      {children}
    </>
  );
}

const row = { display: 'flex', flexWrap: 'wrap', columnGap: 2, width: '100%' } as const;
const input = { flex: '1 1 240px', minWidth: 200 } as const;

export function PatientForm({ toolbar, children }: { toolbar?: ReactNode; children?: ReactNode }) {
  const translate = useTranslate();
  const [unit] = useGlucoseUnit();
  const step = unit === 'mg/dL' ? 1 : 0.1;
  return (
    <SimpleForm toolbar={toolbar as never} sx={{ maxWidth: 960 }} warnWhenUnsavedChanges>
      <Section title="dfy.patients.section_identity">
        <div style={row}>
          <TextInput source="surname" validate={validateName} sx={input} />
          <TextInput source="name" validate={validateName} sx={input} />
        </div>
        <div style={row}>
          <TextInput source="dni" validate={validateDni} helperText="dfy.patients.dni_help" sx={input} />
          <TextInput source="email" type="email" validate={validateEmail} sx={input} />
        </div>
        <div style={row}>
          <DateInput source="birthDate" sx={input} />
          <TextInput source="hospitalAccount" sx={input} validate={maxLength(50)} />
        </div>
      </Section>
      <Section title="dfy.patients.section_clinical">
        <div style={row}>
          <SelectInput
            source="diabetesType"
            choices={DIABETES.map((d) => ({ id: d, name: `dfy.diabetes.${d}` }))}
            emptyText="dfy.common.none"
            sx={input}
          />
          <TextInput source="tidepoolId" sx={input} validate={regex(/^[A-Za-z0-9_-]*$/, 'dfy.validation.format')} />
        </div>
      </Section>
      <Section title="dfy.patients.section_preferences">
        <div style={row}>
          <SelectInput
            source="glucoseUnit"
            choices={[
              { id: 'mg/dL', name: 'mg/dL' },
              { id: 'mmol/L', name: 'mmol/L' },
            ]}
            translateChoice={false}
            helperText="dfy.patients.unit_help"
            defaultValue="mg/dL"
            sx={input}
          />
          <AutocompleteInput
            source="timezone"
            choices={timezoneChoices()}
            defaultValue="America/Argentina/Buenos_Aires"
            translateChoice={false}
            sx={input}
          />
        </div>
        <div style={row}>
          <NumberInput
            source="targetLowMgDl"
            label={`${translate('resources.patients.fields.targetLowMgDl')} (${unit})`}
            format={targetFormat(unit)}
            parse={targetParse(unit)}
            step={step}
            defaultValue={CONSENSUS.low}
            sx={input}
          />
          <NumberInput
            source="targetHighMgDl"
            label={`${translate('resources.patients.fields.targetHighMgDl')} (${unit})`}
            format={targetFormat(unit)}
            parse={targetParse(unit)}
            step={step}
            defaultValue={CONSENSUS.high}
            sx={input}
          />
        </div>
        <Typography variant="caption" color="text.secondary">
          {translate('dfy.patients.target_help', {
            unit,
            low: formatGlucose(CONSENSUS.low, unit, 'en', false),
            high: formatGlucose(CONSENSUS.high, unit, 'en', false),
          })}
        </Typography>
      </Section>
      {children}
    </SimpleForm>
  );
}
