/**
 * A patient's page: header, the window picker, and the tabs each role may use (the server refuses
 * the rest; the UI hides it): Summary and AGP for clinicians (the statistics endpoints are theirs),
 * Glucose and Reports for clinicians and admins, the streak for every staff role, the access log for
 * admins. An assistant sees no glucose value anywhere here. The tab is kept in `?tab=` so links
 * (e.g. from triage) open the right one.
 */
import { Alert, Box, Card, CardContent, Tab, Tabs, Typography } from '@mui/material';
import { useState } from 'react';
import { useLocaleState, usePermissions, useTranslate } from 'react-admin';
import { useParams, useSearchParams } from 'react-router-dom';
import { canAccess, hasRole } from '../../auth/permissions';
import { CONSENSUS } from '../../glucose/colors';
import { clinicTimezone, formatDate } from '../../locale/time';
import { AccessLogTab } from './AccessLogTab';
import { AchievementsTab } from './AchievementsTab';
import { AgpTab } from './AgpTab';
import { GlucoseChart } from './GlucoseChart';
import { PatientSummary } from './PatientSummary';
import { usePatient } from './queries';
import { ReadingsTable } from './ReadingsTable';
import { ReportsTab } from './ReportsTab';
import { WindowPicker } from './WindowPicker';
import { DEFAULT_DAYS, presetWindow, type StatsWindow } from './window';

type TabId = 'summary' | 'glucose' | 'agp' | 'reports' | 'achievements' | 'access';

export function tabsFor(roles: readonly string[]): TabId[] {
  const tabs: TabId[] = [];
  const clinician = hasRole(roles, 'clinician');
  if (clinician) tabs.push('summary');
  if (canAccess(roles, 'readings')) tabs.push('glucose');
  if (clinician) tabs.push('agp');
  if (canAccess(roles, 'readings')) tabs.push('reports');
  tabs.push('achievements');
  if (hasRole(roles, 'admin')) tabs.push('access');
  return tabs;
}

export function PatientShow() {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const { id } = useParams();
  const patientId = Number(id);
  const { permissions, isPending: rolesPending } = usePermissions<string[]>();
  const roles = permissions ?? [];
  const timeZone = clinicTimezone();
  const [search, setSearch] = useSearchParams();
  const [window, setWindow] = useState<StatsWindow>(() => presetWindow(DEFAULT_DAYS, timeZone));
  const patient = usePatient(patientId);
  const tabs = tabsFor(roles);
  const requested = search.get('tab') as TabId | null;
  const tab: TabId | undefined = requested && tabs.includes(requested) ? requested : tabs[0];

  if (patient.isPending || rolesPending) {
    return (
      <Typography role="status" sx={{ p: 2 }}>
        {translate('dfy.common.loading')}
      </Typography>
    );
  }
  if (patient.isError || !patient.data) return <Alert severity="error">{translate('dfy.errors.not_found')}</Alert>;
  const p = patient.data;
  const name = `${p.surname}, ${p.name}`;
  const target = { low: p.targetLowMgDl ?? CONSENSUS.low, high: p.targetHighMgDl ?? CONSENSUS.high };
  const needsWindow = tab === 'summary' || tab === 'glucose' || tab === 'agp' || tab === 'reports';
  return (
    <Box sx={{ mt: 2, display: 'grid', gap: 2 }}>
      <Card variant="outlined">
        <CardContent sx={{ display: 'flex', gap: 3, flexWrap: 'wrap', alignItems: 'baseline' }}>
          <Typography variant="h5" component="h1" data-testid="patient-name">
            {translate('dfy.pp.title', { name })}
          </Typography>
          <Typography color="text.secondary">
            {translate('resources.patients.fields.dni')}: {p.dni}
          </Typography>
          {p.birthDate && (
            <Typography color="text.secondary">
              {translate('resources.patients.fields.birthDate')}: {formatDate(p.birthDate, locale)}
            </Typography>
          )}
          {p.diabetesType && (
            <Typography color="text.secondary">
              {translate(`dfy.diabetes.${p.diabetesType}`, { _: p.diabetesType })}
            </Typography>
          )}
        </CardContent>
      </Card>
      {!canAccess(roles, 'glucose') && <Alert severity="info">{translate('dfy.pp.no_glucose')}</Alert>}
      <Tabs
        value={tab ?? false}
        onChange={(_e, v: TabId) => setSearch({ tab: v }, { replace: true })}
        variant="scrollable"
        allowScrollButtonsMobile
        aria-label={name}
      >
        {tabs.map((t) => (
          <Tab
            key={t}
            value={t}
            label={translate(`dfy.pp.tabs.${t}`)}
            id={`pp-tab-${t}`}
            aria-controls={`pp-panel-${t}`}
          />
        ))}
      </Tabs>
      <Box role="tabpanel" id={`pp-panel-${tab}`} aria-labelledby={`pp-tab-${tab}`} sx={{ display: 'grid', gap: 2 }}>
        {needsWindow && <WindowPicker value={window} onChange={setWindow} timeZone={timeZone} />}
        {tab === 'summary' && (
          <PatientSummary patientId={patientId} from={window.from} to={window.to} timeZone={timeZone} />
        )}
        {tab === 'glucose' && (
          <>
            <GlucoseChart patientId={patientId} from={window.from} to={window.to} timeZone={timeZone} target={target} />
            <ReadingsTable
              patientId={patientId}
              patientName={name}
              timeZone={timeZone}
              target={{ targetLowMgDl: p.targetLowMgDl, targetHighMgDl: p.targetHighMgDl }}
              canEdit={hasRole(roles, 'clinician')}
            />
          </>
        )}
        {tab === 'agp' && <AgpTab patientId={patientId} from={window.from} to={window.to} timeZone={timeZone} />}
        {tab === 'reports' && <ReportsTab patientId={patientId} from={window.from} to={window.to} />}
        {tab === 'achievements' && <AchievementsTab patient={p} />}
        {tab === 'access' && <AccessLogTab patientId={patientId} />}
      </Box>
    </Box>
  );
}
