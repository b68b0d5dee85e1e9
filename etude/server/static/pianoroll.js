// The piano roll: every note of the upload as a bar on a pitch/time grid, bar lines numbered,
// and the bars with critic findings shaded in their severity's colour.

const PART_COLOURS = ["#285e61", "#b5651d", "#6b4fa0", "#2f7d32", "#a23b72", "#3d6fb6"];
const SEVERITY = {
  error: ["rgba(180, 35, 24, 0.13)", "#b42318"],
  warning: ["rgba(214, 140, 0, 0.15)", "#b87800"],
  info: ["rgba(47, 95, 167, 0.10)", "#2f5fa7"],
};
const RANK = { error: 0, warning: 1, info: 2 };
const NAMES = ["C", "C♯", "D", "E♭", "E", "F", "F♯", "G", "A♭", "A", "B♭", "B"];

export class PianoRoll {
  constructor(canvas) {
    this.canvas = canvas;
    this.view = null;
    this.findings = [];
    this.selectedBar = null;
    this.playhead = null;
    this.pxPerQuarter = 26;
    this.rowHeight = 6;
    this.gutter = 34;
  }

  show(view, findings) {
    this.view = view;
    this.findings = findings || [];
    this.selectedBar = null;
    this.playhead = null;
    const bars = [...new Set(this.findings.map((f) => f.bar))].sort((a, b) => a - b);
    // Exposed for tests and assistive tech: which bars are highlighted.
    this.canvas.dataset.highlightedBars = bars.join(" ");
    this.canvas.setAttribute(
      "aria-label",
      `Piano roll: ${view.notes.length} notes in ${view.bar_offsets.length} bars` +
        (bars.length ? `; findings in bars ${bars.join(", ")}` : "; no findings"),
    );
    this.draw();
  }

  select(bar) {
    this.selectedBar = bar;
    this.draw();
    const x = this.xOf(this.barStart(bar));
    const wrap = this.canvas.parentElement;
    wrap.scrollTo({ left: Math.max(0, x - wrap.clientWidth / 3), behavior: "smooth" });
  }

  setPlayhead(ql) {
    this.playhead = ql;
    // Where playback is, in quarter notes ("" when stopped): the canvas itself is opaque.
    this.canvas.dataset.playhead = ql === null ? "" : ql.toFixed(2);
    this.draw();
    if (ql !== null) {
      const wrap = this.canvas.parentElement;
      const x = this.xOf(ql);
      if (x > wrap.scrollLeft + wrap.clientWidth * 0.8 || x < wrap.scrollLeft) {
        wrap.scrollLeft = x - wrap.clientWidth * 0.2;
      }
    }
  }

  barStart(bar) {
    const offsets = this.view.bar_offsets;
    return offsets[Math.min(Math.max(bar - 1, 0), offsets.length - 1)] ?? 0;
  }

  barEnd(bar) {
    const offsets = this.view.bar_offsets;
    return bar < offsets.length ? offsets[bar] : this.view.length_ql;
  }

  xOf(ql) {
    return this.gutter + ql * this.pxPerQuarter;
  }

  draw() {
    const view = this.view;
    if (!view) return;
    // Fit the piece to the panel when it is short; long pieces scroll at a readable density.
    const room = this.canvas.parentElement.clientWidth - this.gutter - 16;
    this.pxPerQuarter = Math.max(12, Math.min(40, room / Math.max(view.length_ql, 1)));
    const pitches = view.notes.map((n) => n.p);
    const low = Math.min(...pitches) - 2;
    const high = Math.max(...pitches) + 2;
    const width = Math.max(this.canvas.parentElement.clientWidth, this.xOf(view.length_ql) + 16);
    const height = (high - low + 1) * this.rowHeight + 24;
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = width * ratio;
    this.canvas.height = height * ratio;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    const g = this.canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const top = 18;
    const y = (p) => top + (high - p) * this.rowHeight;

    for (let p = low; p <= high; p++) {
      if ([1, 3, 6, 8, 10].includes(((p % 12) + 12) % 12)) {
        g.fillStyle = "rgba(31, 42, 48, 0.045)";
        g.fillRect(this.gutter, y(p), width - this.gutter, this.rowHeight);
      }
      if (p % 12 === 0) {
        g.fillStyle = "#5d6b72";
        g.font = "10px system-ui, sans-serif";
        g.fillText(`${NAMES[0]}${p / 12 - 1}`, 4, y(p) + this.rowHeight);
        g.strokeStyle = "rgba(31, 42, 48, 0.12)";
        g.beginPath();
        g.moveTo(this.gutter, y(p) + this.rowHeight);
        g.lineTo(width, y(p) + this.rowHeight);
        g.stroke();
      }
    }

    const worst = new Map();
    for (const f of this.findings) {
      if (!worst.has(f.bar) || RANK[f.severity] < RANK[worst.get(f.bar)]) worst.set(f.bar, f.severity);
    }
    for (const [bar, severity] of worst) {
      const [fill, stroke] = SEVERITY[severity] || SEVERITY.info;
      const x0 = this.xOf(this.barStart(bar));
      const x1 = this.xOf(this.barEnd(bar));
      g.fillStyle = fill;
      g.fillRect(x0, top, x1 - x0, height - top);
      if (bar === this.selectedBar) {
        g.strokeStyle = stroke;
        g.lineWidth = 2.5;
        g.strokeRect(x0 + 1, top + 1, x1 - x0 - 2, height - top - 2);
        g.lineWidth = 1;
      }
    }

    view.bar_offsets.forEach((offset, i) => {
      const x = this.xOf(offset);
      g.strokeStyle = "rgba(31, 42, 48, 0.25)";
      g.beginPath();
      g.moveTo(x, top);
      g.lineTo(x, height);
      g.stroke();
      g.fillStyle = worst.has(i + 1) ? (SEVERITY[worst.get(i + 1)] || SEVERITY.info)[1] : "#5d6b72";
      g.font = worst.has(i + 1) ? "bold 11px system-ui, sans-serif" : "11px system-ui, sans-serif";
      g.fillText(String(i + 1), x + 3, 12);
    });

    for (const n of view.notes) {
      g.fillStyle = PART_COLOURS[n.v % PART_COLOURS.length];
      const x = this.xOf(n.s);
      const w = Math.max(2, n.d * this.pxPerQuarter - 1.5);
      g.beginPath();
      if (g.roundRect) g.roundRect(x, y(n.p) + 0.5, w, this.rowHeight - 1, 2);
      else g.rect(x, y(n.p) + 0.5, w, this.rowHeight - 1);
      g.fill();
    }

    if (this.playhead !== null) {
      const x = this.xOf(this.playhead);
      g.strokeStyle = "#e0a526";
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(x, top);
      g.lineTo(x, height);
      g.stroke();
      g.lineWidth = 1;
    }
  }
}

export function partColour(index) {
  return PART_COLOURS[index % PART_COLOURS.length];
}
