/**
 * The patient's consistency as staff may read it: the streak, the longest streak and the readings
 * count from the patient record. The achievement list itself is `/v1/me/achievements`, which only
 * the patient can read, so it is not shown here (the note says so).
 */
import { Box, Card, CardContent, Typography } from '@mui/material';
import { useLocaleState, useTranslate } from 'react-admin';
import { formatNumber } from './format';

export function AchievementsTab({
  patient,
}: {
  patient: { streakDays: number; maxStreakDays: number; timesMeasured: number };
}) {
  const translate = useTranslate();
  const [locale] = useLocaleState();
  const items = [
    {
      id: 'streak',
      label: 'dfy.pp.achievements.streak',
      value: translate('dfy.pp.achievements.days', { smart_count: patient.streakDays }),
    },
    {
      id: 'max',
      label: 'dfy.pp.achievements.max_streak',
      value: translate('dfy.pp.achievements.days', { smart_count: patient.maxStreakDays }),
    },
    { id: 'measured', label: 'dfy.pp.achievements.measured', value: formatNumber(patient.timesMeasured, locale) },
  ];
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography variant="subtitle1" component="h2" gutterBottom>
          {translate('dfy.pp.achievements.title')}
        </Typography>
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: 'repeat(3, 1fr)' } }}>
          {items.map((i) => (
            <Box key={i.id} data-achievement={i.id}>
              <Typography variant="body2" color="text.secondary">
                {translate(i.label)}
              </Typography>
              <Typography variant="h5" component="p">
                {i.value}
              </Typography>
            </Box>
          ))}
        </Box>
        <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 2 }}>
          {translate('dfy.pp.achievements.note')}
        </Typography>
      </CardContent>
    </Card>
  );
}
