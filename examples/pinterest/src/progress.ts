// A terminal progress bar: redrawn in place on a terminal, a few plain lines otherwise (CI logs).

export interface ProgressBar {
  update(done: number, total: number): void;
  finish(note?: string): void;
}

export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  const width = 28;
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  let lastQuarter = -1;
  let state = { done: 0, total: 0 };
  const line = (): string => {
    const { done, total } = state;
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    return `${label.padEnd(14)} ${bar} ${String(Math.round(ratio * 100)).padStart(3)}%  ${done}/${total}`;
  };
  return {
    update(done, total) {
      state = { done, total };
      if (tty) {
        const now = Date.now();
        if (now - lastDraw < 40 && done < total) return;
        lastDraw = now;
        stream.write(`\r${line()}`);
      } else {
        const quarter = total === 0 ? 4 : Math.floor((done / total) * 4);
        if (quarter > lastQuarter && quarter < 4) {
          lastQuarter = quarter;
          stream.write(`${line()}\n`);
        }
      }
    },
    finish(note = '') {
      state = { done: state.total, total: state.total };
      stream.write(`${tty ? '\r' : ''}${line()}${note ? `  ${note}` : ''}\n`);
    },
  };
}
