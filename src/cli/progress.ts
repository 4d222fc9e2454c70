/**
 * Progress on stderr, only once a run has taken more than a second: an overwritten line on a terminal,
 * otherwise (CI logs) a line about every second. stdout stays reserved for the report.
 */
export class Progress {
  private readonly started = Date.now();
  private lastPrint = 0;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly delayMs = 1000,
  ) {}

  update(message: string): void {
    const now = Date.now();
    if (now - this.started < this.delayMs) return;
    if (this.stream.isTTY) {
      if (now - this.lastPrint < 80) return;
      this.stream.write(`\r\u001b[2K${message}`);
    } else {
      if (now - this.lastPrint < 1000) return;
      this.stream.write(message + '\n');
    }
    this.lastPrint = now;
    this.shown = true;
  }

  /** Clears the overwritten line so the next output starts clean. */
  done(): void {
    if (this.shown && this.stream.isTTY) this.stream.write('\r\u001b[2K');
  }
}
