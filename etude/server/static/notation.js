// Engraving the upload: OpenSheetMusicDisplay for MusicXML (MIDI arrives converted by the
// server), abcjs for ABC. Findings are marked on the bars they point at: a translucent box
// over the measure in OSMD's SVG, coloured notes in abcjs.

const SVG_NS = "http://www.w3.org/2000/svg";
const UNIT_PX = 10; // OSMD lays out in units of 10 px at zoom 1

export class Notation {
  constructor(element) {
    this.element = element;
    this.osmd = null;
    this.kind = null;
    this.findings = [];
  }

  async show(view, findings) {
    this.element.innerHTML = "";
    this.findings = findings || [];
    this.kind = view.notation_kind;
    if (this.kind === "abc") {
      if (!window.ABCJS) throw new Error("the ABC renderer did not load");
      window.ABCJS.renderAbc(this.element, view.notation, { responsive: "resize", add_classes: true });
    } else {
      if (!window.opensheetmusicdisplay) throw new Error("the notation renderer did not load");
      this.osmd = new window.opensheetmusicdisplay.OpenSheetMusicDisplay(this.element, {
        autoResize: false,
        backend: "svg",
        drawTitle: true,
        drawPartNames: true,
        drawingParameters: "compacttight",
      });
      this.osmd.zoom = 0.75;
      await this.osmd.load(view.notation);
      this.osmd.render();
    }
    this.mark();
  }

  // Put (or refresh) the finding marks; `selected` is the bar the learner picked, if any.
  mark(selected = null) {
    this.element.querySelectorAll(".finding-mark").forEach((node) => node.remove());
    this.element.querySelectorAll(".abcjs-finding").forEach((node) => node.classList.remove("abcjs-finding"));
    const worst = new Map();
    const rank = { error: 0, warning: 1, info: 2 };
    for (const f of this.findings) {
      if (!worst.has(f.bar) || rank[f.severity] < rank[worst.get(f.bar)]) worst.set(f.bar, f.severity);
    }
    // a bar picked from the encoder's heat strip may have no finding: it is marked all the same
    if (selected !== null && !worst.has(selected)) worst.set(selected, "picked");
    for (const [bar, severity] of worst) {
      const node = this.kind === "abc" ? this.markAbc(bar) : this.markOsmd(bar, severity, bar === selected);
      if (node && bar === selected) node.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  markAbc(bar) {
    const notes = this.element.querySelectorAll(`.abcjs-mm${bar - 1}`);
    notes.forEach((n) => n.classList.add("abcjs-finding"));
    return notes[0] || null;
  }

  markOsmd(bar, severity, selected) {
    const sheet = this.osmd && this.osmd.GraphicSheet;
    const staves = sheet && sheet.MeasureList[bar - 1];
    if (!staves) return null;
    const boxes = staves.filter(Boolean).map((m) => m.PositionAndShape);
    if (!boxes.length) return null;
    const page = staves.find(Boolean).ParentMusicSystem.Parent;
    const pageIndex = Math.max(0, sheet.MusicPages.indexOf(page));
    const svg = this.element.querySelectorAll("svg")[pageIndex];
    if (!svg) return null;
    const zoom = this.osmd.zoom * UNIT_PX;
    const x = Math.min(...boxes.map((b) => b.AbsolutePosition.x + b.BorderLeft)) * zoom;
    const right = Math.max(...boxes.map((b) => b.AbsolutePosition.x + b.BorderRight)) * zoom;
    const y = Math.min(...boxes.map((b) => b.AbsolutePosition.y + b.BorderTop)) * zoom;
    const bottom = Math.max(...boxes.map((b) => b.AbsolutePosition.y + b.BorderBottom)) * zoom;
    const rect = document.createElementNS(SVG_NS, "rect");
    rect.setAttribute("x", x - 2);
    rect.setAttribute("y", y - 6);
    rect.setAttribute("width", right - x + 4);
    rect.setAttribute("height", bottom - y + 12);
    rect.setAttribute("rx", 4);
    rect.setAttribute("class", `finding-mark ${severity}${selected ? " selected" : ""}`);
    rect.dataset.bar = bar;
    const title = document.createElementNS(SVG_NS, "title");
    const messages = this.findings.filter((f) => f.bar === bar).map((f) => f.message);
    title.textContent = messages.length ? `Bar ${bar}: ${messages.join(" ")}` : `Bar ${bar}`;
    rect.appendChild(title);
    svg.insertBefore(rect, svg.firstChild);
    return rect;
  }
}
