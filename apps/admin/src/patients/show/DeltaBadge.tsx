/** An arrow with the signed change against the previous window, coloured by the clinical verdict. */
import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import RemoveIcon from '@mui/icons-material/Remove';
import { Box, Typography } from '@mui/material';
import { useTranslate } from 'react-admin';
import type { Delta } from './delta';

export function DeltaBadge({ delta, text }: { delta: Delta; text: string }) {
  const translate = useTranslate();
  if (delta.direction === null) {
    return (
      <Typography variant="caption" color="text.secondary">
        {translate('dfy.pp.summary.no_previous')}
      </Typography>
    );
  }
  const Icon = delta.direction === 'up' ? ArrowUpwardIcon : delta.direction === 'down' ? ArrowDownwardIcon : RemoveIcon;
  const color =
    delta.verdict === 'better' ? 'success.main' : delta.verdict === 'worse' ? 'error.main' : 'text.secondary';
  const verdict = delta.verdict ? translate(`dfy.pp.summary.${delta.verdict}`) : '';
  const label = `${text} ${translate('dfy.pp.summary.vs_previous')}${verdict ? ` (${verdict})` : ''}`;
  return (
    <Box
      component="span"
      data-delta={delta.direction}
      data-verdict={delta.verdict ?? ''}
      sx={{ display: 'inline-flex', alignItems: 'center', gap: 0.25, color }}
      title={label}
    >
      <Icon fontSize="inherit" aria-hidden />
      <Typography variant="caption" component="span" sx={{ color: 'inherit' }}>
        {text}
      </Typography>
      <Box component="span" sx={visuallyHidden}>
        {` ${translate('dfy.pp.summary.vs_previous')}${verdict ? ` (${verdict})` : ''}`}
      </Box>
    </Box>
  );
}

const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;
