// Music written inside a chat message (ABC the tutor wrote, or a learner pasted): found in the
// text, engraved with abcjs and turned into the same {p, s, d, v} notes the synthesiser plays
// for an upload, so one player serves both.

const HEADER = /^[A-Za-z]:/;

// The ABC tune in `text` (from its first header line to the first blank line or code fence
// after the K: line), or null. A tune needs a K: line, as abcjs and music21 both do.
export function abcIn(text) {
  const lines = text.replace(/\r/g, "").split("\n");
  for (let start = 0; start < lines.length; start++) {
    if (!HEADER.test(lines[start].trim())) continue;
    let k = start;
    while (k < lines.length && HEADER.test(lines[k].trim()) && !/^K:/.test(lines[k].trim())) k++;
    if (k >= lines.length || !/^K:\s*\S/.test(lines[k].trim())) continue;
    let end = k + 1;
    while (end < lines.length && lines[end].trim() && !lines[end].trim().startsWith("```")) end++;
    if (end === k + 1) continue; // a key and no music
    const tune = lines.slice(start, end).map((l) => l.trim());
    if (!/^X:/.test(tune[0])) tune.unshift("X:1");
    return tune.join("\n");
  }
  return null;
}

// Notes and tempo of a tune abcjs has parsed: abcjs counts time in whole notes, we in quarters.
export function abcNotes(tune) {
  const audio = tune.setUpAudio();
  const notes = [];
  audio.tracks.forEach((track, v) => {
    for (const event of track) {
      if (event.cmd === "note" && event.duration > 0) {
        notes.push({ p: event.pitch, s: event.start * 4, d: event.duration * 4, v });
      }
    }
  });
  notes.sort((a, b) => a.s - b.s);
  let bpm = audio.tempo || 90;
  const meter = tune.getMeterFraction ? tune.getMeterFraction() : null;
  const perMeasureMs = tune.millisecondsPerMeasure ? tune.millisecondsPerMeasure() : 0;
  if (meter && meter.den && perMeasureMs > 0) {
    const quarters = (4 * meter.num) / meter.den;
    bpm = (60_000 * quarters) / perMeasureMs;
  }
  return { notes, bpm, parts: Math.max(1, audio.tracks.length) };
}
