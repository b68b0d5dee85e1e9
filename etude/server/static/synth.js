// Playback of an upload with our own small Web Audio synthesiser: one triangle oscillator per
// note through a short attack/release envelope, voices panned apart so parts stay audible.

export class Synth {
  constructor() {
    this.context = null;
    this.voices = [];
    this.startedAt = 0;
    this.secondsPerQuarter = 0.6;
    this.onEnd = null;
    this.endTimer = null;
  }

  get playing() {
    return this.voices.length > 0;
  }

  // Position of the playhead in quarter notes, or null when stopped.
  positionQl() {
    if (!this.playing) return null;
    return (this.context.currentTime - this.startedAt) / this.secondsPerQuarter;
  }

  play(notes, bpm, parts) {
    this.stop();
    this.context = this.context || new (window.AudioContext || window.webkitAudioContext)();
    const ctx = this.context;
    this.secondsPerQuarter = 60 / (bpm || 90);
    this.startedAt = ctx.currentTime + 0.08;
    const master = ctx.createGain();
    master.gain.value = 0.9 / Math.max(2, Math.min(6, parts));
    master.connect(ctx.destination);
    let last = 0;
    for (const note of notes) {
      const start = this.startedAt + note.s * this.secondsPerQuarter;
      const length = Math.max(0.06, note.d * this.secondsPerQuarter);
      const osc = ctx.createOscillator();
      osc.type = "triangle";
      osc.frequency.value = 440 * Math.pow(2, (note.p - 69) / 12);
      const env = ctx.createGain();
      env.gain.setValueAtTime(0, start);
      env.gain.linearRampToValueAtTime(0.8, start + 0.02);
      env.gain.setTargetAtTime(0.45, start + 0.03, 0.15);
      env.gain.setTargetAtTime(0, start + length - 0.03, 0.03);
      const pan = ctx.createStereoPanner ? ctx.createStereoPanner() : null;
      osc.connect(env);
      if (pan) {
        pan.pan.value = parts > 1 ? (note.v / (parts - 1)) * 1.2 - 0.6 : 0;
        env.connect(pan).connect(master);
      } else {
        env.connect(master);
      }
      osc.start(start);
      osc.stop(start + length + 0.2);
      this.voices.push(osc);
      last = Math.max(last, start + length);
    }
    this.master = master;
    this.endTimer = setTimeout(() => this.stop(), (last - ctx.currentTime + 0.3) * 1000);
  }

  stop() {
    clearTimeout(this.endTimer);
    for (const osc of this.voices) {
      try { osc.stop(); } catch (_) { /* already stopped */ }
    }
    const wasPlaying = this.voices.length > 0;
    this.voices = [];
    if (this.master) this.master.disconnect();
    this.master = null;
    if (wasPlaying && this.onEnd) this.onEnd();
  }
}
