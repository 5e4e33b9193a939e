/**
 * Draws the progress line: redrawn in place on a terminal (`\r`, clear line), one plain line per
 * change otherwise (a log file or a pipe gets a readable history, not a stream of carriage returns).
 */
export interface LineStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

const CLEAR_LINE = '\r\x1b[2K';

export class LiveLine {
  private drawn = false;
  private finished = false;
  private lastKey: string | undefined;

  constructor(private readonly stream: LineStream) {}

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  get columns(): number | undefined {
    return this.isTTY ? this.stream.columns : undefined;
  }

  /**
   * Shows `line`. Off a terminal it is printed only when `key` changed (the state behind the line,
   * without the countdown), so a wait prints once, not every second.
   */
  update(line: string, key: string = line): void {
    if (this.finished) return;
    if (this.isTTY) {
      this.stream.write(`${CLEAR_LINE}${line}`);
      this.drawn = true;
      return;
    }
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.stream.write(`${line}\n`);
  }

  /**
   * Leaves the last line on screen and moves below it. Later updates are dropped: a query still in
   * flight when the wait ended must not draw over what the command prints next.
   */
  finish(): void {
    if (this.isTTY && this.drawn && !this.finished) this.stream.write('\n');
    this.finished = true;
  }
}
