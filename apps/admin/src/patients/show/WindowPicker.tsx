/** 7/14/30/90 days ending today, or a custom pair of dates; the chosen range is shown with the zone. */
import { Box, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useState } from 'react';
import { useLocaleState, useTranslate } from 'react-admin';
import { formatDate, zoneName } from '../../locale/time';
import { isValidWindow, PRESET_DAYS, presetWindow, type StatsWindow } from './window';

export function WindowPicker({
  value,
  onChange,
  timeZone,
}: {
  value: StatsWindow;
  onChange: (w: StatsWindow) => void;
  timeZone: string;
}) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const [custom, setCustom] = useState({ from: value.from, to: value.to });
  const customValid = isValidWindow(custom);
  return (
    <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
      <ToggleButtonGroup
        // Unselected toggles in MUI's default grey fall under 4.5:1; use the primary text colour.
        sx={{ '& .MuiToggleButton-root': { color: 'text.primary' } }}
        size="small"
        exclusive
        value={value.preset ?? 'custom'}
        aria-label={translate('dfy.pp.window.label')}
        onChange={(_e, v: number | 'custom' | null) => {
          if (v === null) return;
          if (v === 'custom') onChange({ ...value, preset: null });
          else onChange(presetWindow(v, timeZone));
        }}
      >
        {PRESET_DAYS.map((d) => (
          <ToggleButton key={d} value={d}>
            {translate('dfy.pp.window.days', { smart_count: d })}
          </ToggleButton>
        ))}
        <ToggleButton value="custom">{translate('dfy.pp.window.custom')}</ToggleButton>
      </ToggleButtonGroup>
      {value.preset === null && (
        <>
          <TextField
            type="date"
            size="small"
            label={translate('dfy.pp.window.from')}
            value={custom.from}
            slotProps={{ inputLabel: { shrink: true } }}
            onChange={(e) => {
              const next = { ...custom, from: e.target.value };
              setCustom(next);
              if (isValidWindow(next)) onChange({ ...next, preset: null });
            }}
            error={!customValid}
          />
          <TextField
            type="date"
            size="small"
            label={translate('dfy.pp.window.to')}
            value={custom.to}
            slotProps={{ inputLabel: { shrink: true } }}
            onChange={(e) => {
              const next = { ...custom, to: e.target.value };
              setCustom(next);
              if (isValidWindow(next)) onChange({ ...next, preset: null });
            }}
            error={!customValid}
            helperText={customValid ? undefined : translate('dfy.pp.window.invalid')}
          />
        </>
      )}
      <Typography variant="body2" color="text.secondary" data-testid="window-range">
        {translate('dfy.pp.window.range', {
          from: formatDate(value.from, locale),
          to: formatDate(value.to, locale),
          zone: zoneName(new Date(), locale, timeZone),
        })}
      </Typography>
    </Box>
  );
}
