"""Reply-quality metrics: exact match, token F1, BLEU, ROUGE and BERTScore, all offline.

Hugging Face ``evaluate.load`` and BERTScore's ``lang='en'`` both fetch from the hub, and
sacrebleu, rouge-score and bert-score are not among Etude's dependencies, so each metric is
computed here by its standard definition; BERTScore uses our bundled MiniLM (6 layers).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Any

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = str.maketrans("", "", string.punctuation.replace("#", ""))
"""Punctuation dropped by ``normalise_answer``; '#' stays, since D and D# are different notes."""


def normalise_answer(text: str) -> str:
    """SQuAD-style normal form: lower case, no punctuation or articles, single spaces; sharps
    are kept, as they change the note.

    >>> normalise_answer("The  G major triad: G, B, D.")
    'g major triad g b d'
    >>> normalise_answer("F# minor")
    'f# minor'
    """
    text = text.lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, reference: str) -> float:
    """1.0 when the normalised texts are equal.

    >>> exact_match("G, B and D.", "g b and d"), exact_match("G B D", "G B D#")
    (1.0, 0.0)
    """
    return float(normalise_answer(prediction) == normalise_answer(reference))


def token_f1(prediction: str, reference: str) -> float:
    """Harmonic mean of token precision and recall over normalised words.

    >>> round(token_f1("the notes are G B D", "G B D"), 3)
    0.75
    """
    pred, ref = normalise_answer(prediction).split(), normalise_answer(reference).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def words(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens (BLEU's and ROUGE's unit here).

    >>> words("C, E and G!")
    ['c', ',', 'e', 'and', 'g', '!']
    """
    return re.findall(r"[\w#']+|[^\w\s]", text.lower())


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def bleu(predictions: list[str], references: list[str], max_n: int = 4) -> float:
    """Corpus BLEU (0..100) exactly as sacrebleu's ``corpus_bleu`` computes it (clipped
    1-4-gram precisions, 'exp' smoothing of empty orders, brevity penalty), but on lower-cased
    ``words`` tokens; implemented here because sacrebleu is not among Etude's dependencies.

    >>> bleu(["the cat sat on the mat"], ["the cat sat on the mat"])
    100.0
    >>> bleu(["completely different words here"], ["the cat sat on the mat"])
    0.0
    """
    import math

    matches = [0] * max_n
    totals = [0] * max_n
    pred_len = ref_len = 0
    for prediction, reference in zip(predictions, references, strict=True):
        pred, ref = words(prediction), words(reference)
        pred_len, ref_len = pred_len + len(pred), ref_len + len(ref)
        for n in range(1, max_n + 1):
            found, wanted = _ngrams(pred, n), _ngrams(ref, n)
            matches[n - 1] += sum((found & wanted).values())
            totals[n - 1] += max(0, len(pred) - n + 1)
    if not pred_len or not matches[0]:
        return 0.0
    precisions = [0.0] * max_n
    smooth = 1.0
    for n in range(max_n):
        if totals[n] == 0:
            break
        if matches[n] == 0:
            smooth *= 2
            precisions[n] = 100.0 / (smooth * totals[n])
        else:
            precisions[n] = 100.0 * matches[n] / totals[n]
    if min(precisions) <= 0:
        return 0.0
    brevity = 1.0 if pred_len >= ref_len else math.exp(1 - ref_len / pred_len)
    return round(brevity * math.exp(sum(math.log(p) for p in precisions) / max_n), 4)


def _lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def _f(overlap: int, n_pred: int, n_ref: int) -> float:
    if not overlap or not n_pred or not n_ref:
        return 0.0
    precision, recall = overlap / n_pred, overlap / n_ref
    return 2 * precision * recall / (precision + recall)


def rouge(predictions: list[str], references: list[str]) -> dict[str, float]:
    """Mean ROUGE-1/2/L F-measures over ``words`` tokens without punctuation (no stemming).

    >>> rouge(["a b c"], ["a b c"])["rougeL"]
    1.0
    >>> round(rouge(["a x c"], ["a b c"])["rouge1"], 3)
    0.667
    """
    totals = dict.fromkeys(("rouge1", "rouge2", "rougeL"), 0.0)
    for prediction, reference in zip(predictions, references, strict=True):
        pred = [w for w in words(prediction) if w[0].isalnum() or w[0] == "#"]
        ref = [w for w in words(reference) if w[0].isalnum() or w[0] == "#"]
        for n in (1, 2):
            found, wanted = _ngrams(pred, n), _ngrams(ref, n)
            totals[f"rouge{n}"] += _f(
                sum((found & wanted).values()), sum(found.values()), sum(wanted.values())
            )
        totals["rougeL"] += _f(_lcs(pred, ref), len(pred), len(ref))
    n = max(1, len(predictions))
    return {name: totals[name] / n for name in ("rouge1", "rouge2", "rougeL")}


def bertscore(
    predictions: list[str],
    references: list[str],
    model_dir: str | None = None,
    batch_size: int = 32,
) -> dict[str, float]:
    """Mean BERTScore precision/recall/F1 with the bundled all-MiniLM-L6-v2, fully offline.

    As ``bert_score.score(model_type=<MiniLM dir>, num_layers=6)`` computes it: contextual
    embeddings of the last (6th) layer, each token matched greedily to its most similar token
    of the other text by cosine; [CLS]/[SEP] can be matched but are not averaged; no idf
    weighting and no baseline rescaling (so unrelated English texts still score about 0.2-0.4).
    An empty text scores 0.
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    from etude.hf import offline_and_quiet
    from etude.knowledge.embeddings import model_path

    offline_and_quiet()
    path = model_dir or model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()

    def embed(texts: list[str]) -> list[tuple[Any, Any]]:
        found = []
        for start in range(0, len(texts), batch_size):
            batch = tokenizer(
                texts[start : start + batch_size],
                padding=True,
                truncation=True,
                max_length=512,
                return_tensors="pt",
                return_special_tokens_mask=True,
            )
            special = batch.pop("special_tokens_mask")
            with torch.inference_mode():
                hidden = model(**batch).last_hidden_state
            hidden = torch.nn.functional.normalize(hidden, dim=-1)
            for row, mask, specials in zip(hidden, batch["attention_mask"], special, strict=True):
                keep = mask.bool()
                found.append((row[keep], (~specials.bool())[keep]))
        return found

    preds, refs = embed(predictions), embed(references)
    totals = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    for (pred, pred_words), (ref, ref_words) in zip(preds, refs, strict=True):
        if not pred_words.any() or not ref_words.any():
            continue
        similarity = pred @ ref.T
        precision = float(similarity.max(dim=1).values[pred_words].mean())
        recall = float(similarity.max(dim=0).values[ref_words].mean())
        totals["precision"] += precision
        totals["recall"] += recall
        totals["f1"] += 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = max(1, len(predictions))
    return {name: value / n for name, value in totals.items()}


def qa_metrics(
    predictions: list[str], references: list[str], *, with_bertscore: bool = True
) -> dict[str, Any]:
    """Every metric of ``eval qa`` for one model's replies.

    >>> m = qa_metrics(["It is G, B and D."], ["It is G, B and D."], with_bertscore=False)
    >>> m["exact_match"], m["token_f1"], m["bleu"], m["rougeL"]
    (1.0, 1.0, 100.0, 1.0)
    """
    n = max(1, len(predictions))
    result: dict[str, Any] = {
        "n": len(predictions),
        "exact_match": sum(map(exact_match, predictions, references)) / n,
        "token_f1": sum(map(token_f1, predictions, references)) / n,
        "bleu": bleu(predictions, references),
        **rouge(predictions, references),
    }
    if with_bertscore:
        result["bertscore"] = bertscore(predictions, references)
    return result
