"""MusicBERT: shapes, bar-level masking, checkpoints (ours and the official fairseq layout)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from etude.encoders.musicbert import (
    SPECIALS,
    MusicBert,
    MusicBertConfig,
    bar_level_mask,
    config_from_fairseq,
    load_fairseq_state_dict,
    masked_loss,
    mixed_mask,
    note_pitch_mask,
)
from etude.encoders.octuple import BAR, PITCH, Note, OctupleEncoder, Performance
from tests.fairseq_fixture import official_checkpoint, write_dictionary

TINY = MusicBertConfig(hidden=32, layers=2, heads=4, ffn=64, max_notes=64, name="tiny")


def piece_tokens(bars: int = 6) -> np.ndarray:
    notes = [Note(beat, 1.0, 60 + beat % 12) for beat in range(bars * 4)]
    return OctupleEncoder().encode(Performance(notes)).tokens.astype(np.int64)


def test_logits_have_one_head_per_field() -> None:
    model = MusicBert(TINY)
    tokens = torch.as_tensor(piece_tokens())[None]
    logits = model(model.joint_ids(tokens))
    assert [tuple(t.shape) for t in logits] == [(1, 24, size) for size in TINY.vocab_sizes]


def test_bar_level_mask_masks_a_field_for_every_note_of_a_bar() -> None:
    model = MusicBert(TINY)
    tokens = torch.as_tensor(piece_tokens(bars=40))[None]
    batch = bar_level_mask(model, tokens, rate=0.3, generator=torch.Generator().manual_seed(0))
    chosen = batch.targets != -100
    assert chosen.any()
    bars = tokens[0, :, BAR]
    for field in range(8):
        for bar in bars.unique():
            in_bar = chosen[0, bars == bar, field]
            assert bool(in_bar.all()) or not bool(in_bar.any())
    assert torch.equal(batch.targets[chosen], tokens[chosen])


def test_note_pitch_mask_hides_only_pitches_of_single_notes() -> None:
    model = MusicBert(TINY)
    tokens = torch.as_tensor(piece_tokens(bars=40))[None]
    padded = torch.cat([tokens, torch.full((1, 20, 8), -1)], dim=1)
    batch = note_pitch_mask(model, padded, rate=0.25, generator=torch.Generator().manual_seed(0))
    chosen = batch.targets != -100
    picked = chosen[..., PITCH]
    assert not chosen[..., [f for f in range(8) if f != PITCH]].any()  # only the pitch field
    assert not picked[0, tokens.shape[1] :].any()  # never padding
    assert 0.15 < picked.float().mean() * padded.shape[1] / tokens.shape[1] < 0.35
    assert torch.equal(batch.targets[chosen], padded[chosen])
    # every other field of every note is the input unchanged, so the context is all there
    plain = model.joint_ids(padded)
    others = [f for f in range(8) if f != PITCH]
    assert torch.equal(batch.ids[..., others], plain[..., others])
    masked = batch.ids[..., PITCH] == model.config.mask_id
    assert masked.any() and not (masked & ~picked).any()


def test_mixed_mask_masks_each_window_one_way() -> None:
    model = MusicBert(TINY)
    tokens = torch.as_tensor(piece_tokens(bars=40))[None].repeat(16, 1, 1)
    generator = torch.Generator().manual_seed(3)
    batch = mixed_mask(model, tokens, pitch_share=0.5, bar_rate=0.3, generator=generator)
    chosen = batch.targets != -100
    pitch_only = ~chosen[..., [f for f in range(8) if f != PITCH]].any(-1).any(-1)
    assert 0 < int(pitch_only.sum()) < 16  # some windows of each kind
    for row in range(16):
        if not pitch_only[row]:  # bar-level: a field is masked for all notes of a bar or none
            bars = tokens[row, :, BAR]
            for bar in bars.unique():
                in_bar = chosen[row, bars == bar, PITCH]
                assert bool(in_bar.all()) or not bool(in_bar.any())
    plain = mixed_mask(model, tokens, pitch_share=0.0, generator=generator)
    assert (plain.targets != -100)[..., BAR].any()  # share 0: bar-level masking alone


def test_padding_does_not_change_the_embedding() -> None:
    model = MusicBert(TINY).eval()
    tokens = torch.as_tensor(piece_tokens())[None]
    padded = torch.cat([tokens, torch.full((1, 10, 8), -1)], dim=1)
    plain, _ = model.hidden_states(model.joint_ids(tokens))
    with_pad, _ = model.hidden_states(model.joint_ids(padded))
    assert torch.allclose(plain, with_pad[:, : tokens.shape[1]], atol=1e-5)


def test_training_step_lowers_the_loss() -> None:
    torch.manual_seed(0)
    model = MusicBert(TINY)
    tokens = torch.as_tensor(piece_tokens(bars=8))[None]
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(1)
    losses = []
    for _ in range(30):
        batch = bar_level_mask(model, tokens, rate=0.5, generator=generator)
        loss = masked_loss(model(batch.ids), batch.targets)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < np.mean(losses[:5])


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    model = MusicBert(TINY).eval()
    model.save(tmp_path)
    again = MusicBert.load(tmp_path)
    tokens = piece_tokens()
    bars_a, piece_a = model.embed(tokens)
    _, piece_b = again.embed(tokens)
    assert bars_a.shape == (6, 32) and piece_a.shape == (32,)
    assert np.allclose(piece_a, piece_b, atol=2e-2)  # fp16 storage


def test_new_voice_slots_change_nothing_until_trained() -> None:
    """A checkpoint resumed with voice slots answers as before (the slots start at zero), and
    once the slots differ, telling the model a note's voice changes its answer."""
    torch.manual_seed(0)
    plain = MusicBert(TINY).eval()
    voiced = MusicBert(MusicBertConfig(**{**TINY.__dict__, "voices": 5})).eval()
    missing, unexpected = voiced.load_state_dict(plain.state_dict(), strict=False)
    assert missing == ["embed_voices.weight"] and not unexpected
    tokens = piece_tokens()
    slots = np.arange(len(tokens)) % 4 + 1
    assert np.allclose(plain.embed(tokens)[1], voiced.embed(tokens, slots)[1], atol=1e-6)
    with torch.no_grad():
        voiced.embed_voices.weight.normal_(0, 0.5)
    assert not np.allclose(voiced.embed(tokens)[1], voiced.embed(tokens, slots)[1], atol=1e-3)


def test_official_fairseq_checkpoint_loads(tmp_path: Path) -> None:
    config = MusicBertConfig(hidden=64, layers=2, heads=1, ffn=128, max_notes=64)
    write_dictionary(config, tmp_path / "dict.txt")
    from etude.encoders.musicbert import read_fairseq_dictionary

    symbols = read_fairseq_dictionary(tmp_path / "dict.txt")
    assert symbols[: len(SPECIALS)] == list(SPECIALS) and symbols[-1] == "<mask>"
    state = official_checkpoint(config, symbols)
    derived = config_from_fairseq(state)
    assert (derived.hidden, derived.layers, derived.ffn, derived.max_notes) == (64, 2, 128, 64)
    model = MusicBert(config)
    missing = load_fairseq_state_dict(model, state, symbols)
    assert missing == []
    symbol = "<3-60>"  # pitch 60
    their_row = state["encoder.sentence_encoder.embed_tokens.weight"][symbols.index(symbol)]
    our_row = model.embed_tokens.weight[config.offsets[3] + 60]
    assert torch.equal(their_row, our_row)
    assert torch.equal(
        model.layers[1].fc2.weight, state["encoder.sentence_encoder.layers.1.fc2.weight"]
    )


def test_unknown_checkpoint_keys_are_refused() -> None:
    model = MusicBert(TINY)
    with pytest.raises(ValueError, match="lacks"):
        load_fairseq_state_dict(
            model, {"encoder.sentence_encoder.layers.9.fc1.weight": torch.zeros(1)}, list(SPECIALS)
        )
