/**
 * The `--progress` bar of `diabetify seed`, on stderr (stdout stays clean for scripts). Counted in
 * patients, since how many readings a patient has depends on whether they wear a CGM.
 */
import cliProgress from 'cli-progress';

export class SeedProgress {
  private readonly bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'seeding |{bar}| {value}/{total} patients | {readings} readings | {rate} rows/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  private readonly started = performance.now();
  private patients = 0;
  private readings = 0;

  constructor(total: number) {
    this.bar.start(total, 0, { readings: '0', rate: '0' });
  }

  add(patients: number, readings: number): void {
    this.patients += patients;
    this.readings += readings;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(this.readings / seconds) : 0;
    this.bar.update(this.patients, {
      readings: this.readings.toLocaleString('en-US'),
      rate: rate.toLocaleString('en-US'),
    });
  }

  stop(): void {
    this.bar.stop();
  }
}
