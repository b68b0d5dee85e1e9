"""ROUGE and BLEU against reference lyrics, as seed 002 evaluates title-to-lyrics models.

rouge-score and sacrebleu are called directly: ``evaluate.load('rouge')`` needs the hub, which
Etude never reaches at run time.
"""

from __future__ import annotations

from pydantic import BaseModel


class OverlapScores(BaseModel):
    rouge1: float
    rouge2: float
    rougeL: float
    bleu: float

    def line(self) -> str:
        return (
            f"ROUGE-1 {self.rouge1:.3f}, ROUGE-2 {self.rouge2:.3f}, ROUGE-L {self.rougeL:.3f} "
            f"(F1), BLEU {self.bleu:.2f}"
        )


def overlap(candidate: str, references: list[str]) -> OverlapScores:
    """Best ROUGE F1 over the references and corpus-style sentence BLEU against all of them.

    >>> scores = overlap("take a sad song and make it better", ["take a sad song"])
    >>> scores.rouge1 > 0.6, scores.bleu > 0
    (True, True)
    """
    import sacrebleu
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    best = {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    for reference in references:
        result = scorer.score(reference, candidate)
        for key in best:
            best[key] = max(best[key], result[key].fmeasure)
    bleu = sacrebleu.sentence_bleu(candidate, references).score if references else 0.0
    return OverlapScores(
        rouge1=round(best["rouge1"], 4),
        rouge2=round(best["rouge2"], 4),
        rougeL=round(best["rougeL"], 4),
        bleu=round(bleu, 2),
    )
