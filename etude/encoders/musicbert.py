"""MusicBERT in plain PyTorch.

Zeng et al., "MusicBERT: Symbolic Music Understanding with Large-Scale Pre-Training" (2021).
The model is RoBERTa over OctupleMIDI: the eight tokens of a note are embedded from one joint
vocabulary, concatenated and projected down to the model width (so the Transformer sees one
position per note), and on the way out projected back up to eight vectors, each scored against
the joint vocabulary restricted to its field. Pre-training masks one field of every note in a
bar at once ("bar-level masking"), so the model cannot copy the answer from a neighbour.

The official checkpoints are fairseq RoBERTa checkpoints; ``load_fairseq_state_dict`` maps their
parameter names onto this module (names follow fairseq's, so the mapping is mostly a prefix), so a
user with ``checkpoint_last_musicbert_base.pt`` and its ``dict.txt`` can run it without fairseq.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from etude.encoders.model_config import PAD, SPECIALS, MusicBertConfig, embed_windows
from etude.encoders.octuple import BAR, PITCH


class EncoderLayer(nn.Module):
    """A post-LayerNorm Transformer layer, as RoBERTa (and so MusicBERT) uses."""

    def __init__(self, config: MusicBertConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.q_proj = nn.Linear(config.hidden, config.hidden)
        self.k_proj = nn.Linear(config.hidden, config.hidden)
        self.v_proj = nn.Linear(config.hidden, config.hidden)
        self.out_proj = nn.Linear(config.hidden, config.hidden)
        self.self_attn_layer_norm = nn.LayerNorm(config.hidden)
        self.fc1 = nn.Linear(config.hidden, config.ffn)
        self.fc2 = nn.Linear(config.ffn, config.hidden)
        self.final_layer_norm = nn.LayerNorm(config.hidden)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, width // self.heads).transpose(1, 2)

        attention_mask = ~padding[:, None, None, :]
        attended = F.scaled_dot_product_attention(
            heads(self.q_proj(x)),
            heads(self.k_proj(x)),
            heads(self.v_proj(x)),
            attn_mask=attention_mask,
            dropout_p=self.dropout.p if self.training else 0.0,
        )
        attended = attended.transpose(1, 2).reshape(batch, length, width)
        x = self.self_attn_layer_norm(x + self.dropout(self.out_proj(attended)))
        hidden = self.fc2(self.dropout(F.gelu(self.fc1(x))))
        return self.final_layer_norm(x + self.dropout(hidden))


class MusicBert(nn.Module):
    def __init__(self, config: MusicBertConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or MusicBertConfig.small()
        width = config.hidden
        self.embed_tokens = nn.Embedding(config.joint_vocab, width, padding_idx=PAD)
        self.downsampling = nn.Linear(width * 8, width)
        # fairseq's learned positions start at padding_idx + 1 = 2
        self.embed_positions = nn.Embedding(config.max_notes + PAD + 1, width, padding_idx=PAD)
        self.emb_layer_norm = nn.LayerNorm(width)
        self.layers = nn.ModuleList(EncoderLayer(config) for _ in range(config.layers))
        self.upsampling = nn.Linear(width, width * 8)
        self.lm_dense = nn.Linear(width, width)
        self.lm_layer_norm = nn.LayerNorm(width)
        self.lm_bias = nn.Parameter(torch.zeros(config.joint_vocab))
        self.dropout = nn.Dropout(config.dropout)
        self.offsets: torch.Tensor
        self.register_buffer("offsets", torch.tensor(config.offsets), persistent=False)
        self.apply(self._init)
        if config.voices:
            # Zero at the start, so a checkpoint without voices resumed into this layout
            # answers exactly as before until training teaches the slots apart.
            self.embed_voices = nn.Embedding(config.voices, width)
            nn.init.zeros_(self.embed_voices.weight)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def joint_ids(self, tokens: torch.Tensor) -> torch.Tensor:
        """Field values (…, N, 8) → joint-vocabulary ids; negative values mean <pad>."""
        ids = tokens + self.offsets
        return torch.where(tokens < 0, torch.full_like(ids, PAD), ids)

    def hidden_states(
        self, ids: torch.Tensor, voices: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Joint ids (B, N, 8) → hidden states (B, N, H) and the padding mask (B, N).
        ``voices`` (B, N): each note's voice slot (``voice_slots``), read only by a model
        whose config has voice slots; None means "not known" (slot 0)."""
        states, padding = self.layer_states(ids, voices)
        return states[-1], padding

    def layer_states(
        self, ids: torch.Tensor, voices: torch.Tensor | None = None, *, depth: int | None = None
    ) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Like :meth:`hidden_states`, but the output of the embedding layer and of every
        Transformer layer, for probing what each depth has learned; only the first ``depth``
        layers when a reader needs no more (the wrong-note detector's own layers go on from
        there)."""
        batch, length, _ = ids.shape
        padding = ids[..., 0] == PAD
        x = self.embed_tokens(ids).reshape(batch, length, -1)
        x = self.downsampling(x)
        if self.config.voices:
            if voices is None:
                voices = torch.zeros((batch, length), dtype=torch.long, device=ids.device)
            x = x + self.embed_voices(voices.clamp(0, self.config.voices - 1))
        positions = torch.cumsum((~padding).long(), dim=1) * ~padding + PAD
        x = self.emb_layer_norm(x + self.embed_positions(positions))
        x = self.dropout(x)
        states = [x]
        for layer in self.layers[:depth]:
            x = layer(x, padding)
            states.append(x)
        return states, padding

    def field_logits(self, hidden: torch.Tensor) -> list[torch.Tensor]:
        """Per-field scores (B, N, V_field) for masked-token prediction."""
        batch, length, width = hidden.shape
        up = self.upsampling(hidden).reshape(batch, length, 8, width)
        projected = self.lm_layer_norm(F.gelu(self.lm_dense(up)))
        logits = projected @ self.embed_tokens.weight.T + self.lm_bias
        return [
            logits[:, :, i, start : start + size]
            for i, (start, size) in enumerate(
                zip(self.config.offsets, self.config.vocab_sizes, strict=True)
            )
        ]

    def field_logits_at(self, hidden: torch.Tensor, field: int) -> torch.Tensor:
        """Scores (M, V_field) of one field for M chosen positions' hidden states (M, H): the
        same head as :meth:`field_logits`, without scoring the fields and notes not asked for
        (nor upsampling them: an eighth of the upsampling's work)."""
        width = hidden.shape[-1]
        rows = slice(field * width, (field + 1) * width)  # the field's share of the upsampling
        up = F.linear(hidden, self.upsampling.weight[rows], self.upsampling.bias[rows])
        projected = self.lm_layer_norm(F.gelu(self.lm_dense(up)))
        start, size = self.config.offsets[field], self.config.vocab_sizes[field]
        return (
            projected @ self.embed_tokens.weight[start : start + size].T
            + self.lm_bias[start : start + size]
        )

    def forward(self, ids: torch.Tensor, voices: torch.Tensor | None = None) -> list[torch.Tensor]:
        hidden, _ = self.hidden_states(ids, voices)
        return self.field_logits(hidden)

    @torch.no_grad()
    def embed(
        self, tokens: np.ndarray, voices: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bar vectors (bars, H) and a piece vector (H) for one piece's octuples (and, for a
        model with voice slots, each note's slot).

        Pieces longer than ``max_notes`` are read in consecutive windows; a bar's vector is the
        mean of its notes' hidden states, the piece's the mean of its bars'.
        """
        self.eval()
        device = self.embed_tokens.weight.device

        def hidden(ids: np.ndarray, slots: np.ndarray) -> np.ndarray:
            states, _ = self.hidden_states(
                torch.as_tensor(ids, device=device), torch.as_tensor(slots, device=device)
            )
            result: np.ndarray = states[0].float().cpu().numpy()
            return result

        return embed_windows(hidden, self.config, tokens, voices)

    @torch.no_grad()
    def masked_pitch_probabilities(
        self, ids: np.ndarray, masked: np.ndarray, voices: np.ndarray | None = None
    ) -> np.ndarray:
        """p(pitch) (M, 128) at the M positions where ``masked`` (B, N) is true, in row-major
        order, for joint ids (B, N, 8) whose masked pitches are already <mask> (``voices``
        (B, N): their voice slots, for a model that reads them): what
        ``etude.encoders.surprise`` asks, only the masked positions through the pitch head."""
        self.eval()
        device = self.embed_tokens.weight.device
        hidden, _ = self.hidden_states(
            torch.as_tensor(ids, device=device),
            None if voices is None else torch.as_tensor(voices, device=device),
        )
        rows = torch.as_tensor(masked, device=device).nonzero()
        logits = self.field_logits_at(hidden[rows[:, 0], rows[:, 1]], PITCH)[:, :128]
        result: np.ndarray = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        return result

    def save(self, folder: Path) -> None:
        """fp16 safetensors and the config, small enough to keep in the repository."""
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        tensors = {
            k: v.detach().to(torch.float16).contiguous().cpu() for k, v in self.state_dict().items()
        }
        save_file(tensors, str(folder / "model.safetensors"))
        (folder / "config.json").write_text(self.config.to_json())

    @classmethod
    def load(cls, folder: Path) -> MusicBert:
        from safetensors.torch import load_file

        model = cls(MusicBertConfig.from_json((folder / "config.json").read_text()))
        state = {k: v.float() for k, v in load_file(str(folder / "model.safetensors")).items()}
        model.load_state_dict(state)
        return model.eval()


@dataclass
class MaskedBatch:
    ids: torch.Tensor
    """Model input (B, N, 8) with masked fields replaced."""
    targets: torch.Tensor
    """Field values to predict (B, N, 8); -100 where nothing is predicted."""
    fields_masked: list[int] = field(default_factory=list)


def bar_level_mask(
    model: MusicBert, tokens: torch.Tensor, *, rate: float = 0.15, generator: torch.Generator
) -> MaskedBatch:
    """The paper's bar-level masking: each (bar, field) pair is chosen with probability
    ``rate``, and then that field of *every* note in the bar is masked (80% <mask>, 10% a
    random value of the field, 10% unchanged), so it cannot be read off a neighbouring note."""
    config = model.config
    valid = tokens[..., 0] >= 0
    bars = tokens[..., BAR].clamp(min=0)
    chosen = (
        torch.rand(
            (tokens.shape[0], config.vocab_sizes[BAR], 8), generator=generator, device=tokens.device
        )
        < rate
    )
    picked = torch.gather(chosen, 1, bars[..., None].expand(-1, -1, 8)) & valid[..., None]
    targets = torch.where(picked, tokens, torch.full_like(tokens, -100))
    ids = model.joint_ids(tokens)
    roll = torch.rand(tokens.shape, generator=generator, device=tokens.device)
    sizes = torch.tensor(config.vocab_sizes, device=tokens.device)
    random_values = (
        torch.rand(tokens.shape, generator=generator, device=tokens.device) * sizes
    ).long() + model.offsets
    ids = torch.where(picked & (roll < 0.8), torch.full_like(ids, config.mask_id), ids)
    ids = torch.where(picked & (roll >= 0.8) & (roll < 0.9), random_values, ids)
    return MaskedBatch(ids, targets, [i for i in range(8) if bool(picked[..., i].any())])


def note_pitch_mask(
    model: MusicBert, tokens: torch.Tensor, *, rate: float = 0.125, generator: torch.Generator
) -> MaskedBatch:
    """Mask the pitch of single notes, each note chosen independently with probability
    ``rate`` (80% <mask>, 10% a random pitch, 10% unchanged); every other field stays visible.

    Why: this is the question ``etude.encoders.surprise`` asks at inference (the pitch of every
    eighth note hidden, its neighbours' pitches and all rhythm visible). Bar-level masking
    alone never asks it: it hides a field of a whole bar, so the model learns to guess a bar's
    pitches from other bars, not one pitch from the notes around it.
    """
    config = model.config
    valid = tokens[..., 0] >= 0
    chosen = (
        torch.rand(tokens.shape[:2], generator=generator, device=tokens.device) < rate
    ) & valid
    picked = torch.zeros(tokens.shape, dtype=torch.bool, device=tokens.device)
    picked[..., PITCH] = chosen
    targets = torch.where(picked, tokens, torch.full_like(tokens, -100))
    ids = model.joint_ids(tokens)
    roll = torch.rand(tokens.shape[:2], generator=generator, device=tokens.device)
    random_pitch = (
        torch.rand(tokens.shape[:2], generator=generator, device=tokens.device) * 128
    ).long() + model.offsets[PITCH]
    pitch_ids = ids[..., PITCH]
    pitch_ids = torch.where(
        chosen & (roll < 0.8), torch.full_like(pitch_ids, config.mask_id), pitch_ids
    )
    pitch_ids = torch.where(chosen & (roll >= 0.8) & (roll < 0.9), random_pitch, pitch_ids)
    ids = ids.clone()
    ids[..., PITCH] = pitch_ids
    return MaskedBatch(ids, targets, [PITCH] if bool(chosen.any()) else [])


def mixed_mask(
    model: MusicBert,
    tokens: torch.Tensor,
    *,
    pitch_share: float,
    bar_rate: float = 0.15,
    pitch_rate: float = 0.125,
    generator: torch.Generator,
) -> MaskedBatch:
    """Each window of the batch masked one of two ways: single-note pitch masking
    (``note_pitch_mask``) with probability ``pitch_share``, else the paper's bar-level masking
    of all fields — so the model keeps learning every field while practising the inference
    question. ``pitch_share=0`` is plain bar-level masking."""
    bar = bar_level_mask(model, tokens, rate=bar_rate, generator=generator)
    if pitch_share <= 0:
        return bar
    pitch = note_pitch_mask(model, tokens, rate=pitch_rate, generator=generator)
    rows = torch.rand(tokens.shape[0], generator=generator, device=tokens.device) < pitch_share
    ids = torch.where(rows[:, None, None], pitch.ids, bar.ids)
    targets = torch.where(rows[:, None, None], pitch.targets, bar.targets)
    fields = [i for i in range(8) if bool((targets[..., i] != -100).any())]
    return MaskedBatch(ids, targets, fields)


def masked_loss(logits: list[torch.Tensor], targets: torch.Tensor) -> torch.Tensor:
    losses = [
        F.cross_entropy(
            field_logits.reshape(-1, field_logits.shape[-1]).float(),
            targets[..., i].reshape(-1),
            ignore_index=-100,
            reduction="sum",
        )
        for i, field_logits in enumerate(logits)
    ]
    count = (targets != -100).sum().clamp(min=1)
    return torch.stack(losses).sum() / count


_FAIRSEQ_PREFIX = "encoder.sentence_encoder."
_FAIRSEQ_RENAMES = [
    (r"^encoder\.sentence_encoder\.layers\.(\d+)\.", r"layers.\1."),
    (r"\.self_attn\.(q_proj|k_proj|v_proj|out_proj)\.", r".\1."),
    (r"^encoder\.sentence_encoder\.(embed_tokens|embed_positions|emb_layer_norm)\.", r"\1."),
    (r"^encoder\.sentence_encoder\.downsampling\.0\.", "downsampling."),
    (r"^encoder\.sentence_encoder\.upsampling\.0\.", "upsampling."),
    (r"^encoder\.lm_head\.dense\.", "lm_dense."),
    (r"^encoder\.lm_head\.layer_norm\.", "lm_layer_norm."),
    (r"^encoder\.lm_head\.bias$", "lm_bias"),
]


def read_fairseq_dictionary(path: Path) -> list[str]:
    """Symbols of a fairseq ``dict.txt`` in id order (fairseq prepends its four specials and
    appends ``<mask>`` for masked-LM tasks)."""
    symbols = [line.rsplit(" ", 1)[0] for line in path.read_text().splitlines() if line.strip()]
    return [*SPECIALS, *symbols, "<mask>"]


def _our_symbol_ids(config: MusicBertConfig) -> dict[str, int]:
    """MusicBERT's symbol for field value v is ``<i-v>`` (i the field's index)."""
    ids = {name: i for i, name in enumerate(SPECIALS)}
    for index, (offset, size) in enumerate(zip(config.offsets, config.vocab_sizes, strict=True)):
        for value in range(size):
            ids[f"<{index}-{value}>"] = offset + value
    ids["<mask>"] = config.mask_id
    return ids


def load_fairseq_state_dict(
    model: MusicBert, state: dict[str, torch.Tensor], symbols: list[str]
) -> list[str]:
    """Copy an official (fairseq) MusicBERT state dict into ``model``.

    ``symbols`` is the checkpoint's vocabulary in id order (``read_fairseq_dictionary``); rows
    of the embedding and output bias are moved to our field layout. Returns the names of our
    parameters the checkpoint did not provide (none for a complete checkpoint).
    """
    ours = _our_symbol_ids(model.config)
    theirs_to_ours = torch.full((len(symbols),), -1, dtype=torch.long)
    for their_id, symbol in enumerate(symbols):
        if symbol in ours:
            theirs_to_ours[their_id] = ours[symbol]
    present = theirs_to_ours >= 0
    mapped: dict[str, torch.Tensor] = {}
    for key, tensor in state.items():
        if key == "encoder.lm_head.weight" or not key.startswith(
            ("encoder.sentence_encoder", "encoder.lm_head")
        ):
            continue  # the output projection is tied to embed_tokens
        name = key
        for pattern, replacement in _FAIRSEQ_RENAMES:
            name = re.sub(pattern, replacement, name)
        if name in ("embed_tokens.weight", "lm_bias"):
            rebuilt = model.state_dict()[name].clone()
            rebuilt[theirs_to_ours[present]] = tensor[: len(symbols)][present].to(rebuilt.dtype)
            tensor = rebuilt
        mapped[name] = tensor
    result = model.load_state_dict(mapped, strict=False)
    if result.unexpected_keys:
        raise ValueError(f"checkpoint has parameters this model lacks: {result.unexpected_keys}")
    return [k for k in result.missing_keys if k != "offsets"]


def config_from_fairseq(state: dict[str, torch.Tensor]) -> MusicBertConfig:
    """Model sizes read off an official checkpoint's tensor shapes."""
    layers = {
        int(m.group(1))
        for k in state
        if (m := re.match(r"encoder\.sentence_encoder\.layers\.(\d+)\.", k))
    }
    width = state[_FAIRSEQ_PREFIX + "embed_tokens.weight"].shape[1]
    ffn = state[_FAIRSEQ_PREFIX + "layers.0.fc1.weight"].shape[0]
    positions = state[_FAIRSEQ_PREFIX + "embed_positions.weight"].shape[0]
    return MusicBertConfig(
        hidden=width,
        layers=len(layers),
        heads=max(1, width // 64),
        ffn=ffn,
        max_notes=positions - PAD - 1,
        name="musicbert-official",
    )


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
