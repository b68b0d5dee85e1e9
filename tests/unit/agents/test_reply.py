"""Reply blocks built from computed steps: where a chord goes, what a clean score is told."""

from __future__ import annotations

import pytest


def test_where_a_chord_goes_is_answered_from_its_own_steps() -> None:
    from etude.agents.reply import _where_it_goes
    from etude.theory.calculator import compute_facts

    [fact] = compute_facts("the french sixth in E minor")
    answer = _where_it_goes("and where does that go next?", fact.steps)
    assert "B" in answer and "leads to V" in answer
    assert _where_it_goes("how is it spelled?", fact.steps) == ""


def test_a_score_without_faults_gets_a_next_step_in_its_key() -> None:
    from etude.agents.reply import _answer_phrase, _no_fault

    report = {"bars": 12, "key": {"tonic": "D", "mode": "minor"}}
    assert "12 bars in D minor" in _answer_phrase(report) and "ends on D" in _answer_phrase(report)
    assert "not yet that it is interesting" in _no_fault(report)


def _plan(question: str, level: str) -> dict[str, str]:
    """The reply blocks for a question at a level, from the real theory tool's evidence."""
    from etude.agents.reply import plan_reply
    from etude.theory.hearing import heard_evidence
    from etude.tools.theory import computed

    evidence = computed(question)
    evidence += heard_evidence(evidence)
    _, before, after = plan_reply(question, ["theory"], evidence, level)  # type: ignore[arg-type]
    return {"text": "\n\n".join(b.text for b in before + after)}


def test_three_levels_differ_in_depth_vocabulary_and_examples() -> None:
    """Beginner: the worked steps, the plain meaning of their words, an example to play.
    Intermediate: the steps and the example, no glossary. Advanced: the one-line short form
    instead of the steps; an example only where it puts the chord in a key."""
    question = "What chord is V7 in A minor?"
    beginner, middle, advanced = (
        _plan(question, level)["text"] for level in ("beginner", "intermediate", "advanced")
    )
    answer = "V7 in A minor: E – G# – B – D"
    assert all(text.startswith(answer) for text in (beginner, middle, advanced))
    assert "How to work it out:\n1. Count up the A minor scale" in beginner
    assert "Words used:" in beginner and "leading tone is the 7th degree" in beginner
    assert "How to work it out:" in middle and "Words used:" not in middle
    assert "Short form: degree 5 of A minor" in advanced
    assert "How to work it out" not in advanced and "Words used" not in advanced
    hear = "Hear it: Play E – G# – B – D, then A minor (A – C – E): G# rises to A, D falls to C."
    assert all(hear in text for text in (beginner, middle, advanced))
    plain = "spell Cm7"
    assert "Hear it: Play C – Eb – G – Bb one note at a time" in _plan(plain, "beginner")["text"]
    assert "Hear it" not in _plan(plain, "advanced")["text"]


def test_an_advanced_learner_asking_how_still_gets_the_steps() -> None:
    text = _plan("how do I find the relative minor of F major", "advanced")["text"]
    assert "How to work it out:" in text and "Short form" not in text


def _abc_blocks(text: str) -> list[str]:
    import re

    return re.findall(r"```abc\n(.*?)\n```", text, re.DOTALL)


def test_a_meter_question_shows_the_bars_to_clap_for_each_meter_asked() -> None:
    """A meter's count names no notes: the reply writes its two bars out in ABC, which music21
    reads back as two full bars of that meter; two meters compared are each shown."""
    from music21 import converter, meter

    text = _plan("what's the difference between 2/4 and 6/8 when you listen?", "intermediate")[
        "text"
    ]
    assert "Hear 2/4: Count it aloud" in text and "Hear 6/8: Count it aloud" in text
    tunes = _abc_blocks(text)
    assert [tune.splitlines()[2] for tune in tunes] == ["M:2/4", "M:6/8"]
    for tune, signature in zip(tunes, ("2/4", "6/8"), strict=True):
        bar = meter.TimeSignature(signature).barDuration.quarterLength
        assert converter.parse(tune, format="abc").highestTime == 2 * bar
    # an irregular meter is clapped in its groups
    seven = _plan("how should I compose in 7/8?", "intermediate")["text"]
    assert "groups of 2+2+3" in seven
    assert _abc_blocks(seven)[0].endswith("!>!cc !>!cc !>!ccc | !>!cc !>!cc !>!ccc |]")


def test_an_advanced_learner_gets_a_meter_s_bars_when_asking_how_it_feels() -> None:
    felt = _plan("how does 9/8 feel?", "advanced")["text"]
    assert [tune.splitlines()[2] for tune in _abc_blocks(felt)] == ["M:9/8"]
    read = _plan("is 9/8 simple or compound?", "advanced")["text"]
    assert "compound triple" in read and not _abc_blocks(read) and "Hear" not in read
    # no clapping for a chord: a pitch example keeps its one line, without ABC
    assert not _abc_blocks(_plan("spell Cm7", "beginner")["text"])


def _passage(title: str, section: str, score: float, side: str | None = None) -> object:
    from etude.evidence import Citation, Evidence

    cite = Citation(article=title, title=title, chunk_id=title, section=section, score=score)
    data = {"side": side} if side else {}
    return Evidence(tool="theory", kind="passage", summary=f"{section}.", citation=cite, data=data)


def test_a_comparison_is_answered_with_a_passage_for_each_side() -> None:
    from etude.agents.reply import plan_reply

    question = "what's the difference between a motif and a phrase?"
    evidence = [
        _passage("Developing a motif", "What a motif is", 0.59),
        _passage("Building a piece from one motif", "Laying out a piece", 0.56),
        _passage("The phrase and the period", "What a musical phrase is", 0.47, side="phrase"),
    ]
    _, before, _ = plan_reply(question, ["theory"], evidence, "intermediate")  # type: ignore[arg-type]
    [reason] = [b for b in before if b.role == "reason"]
    assert "“Developing a motif § What a motif is”" in reason.text
    assert "“The phrase and the period § What a musical phrase is”" in reason.text
    # one side without a passage: the single best passage, as for any question
    _, before, _ = plan_reply(question, ["theory"], evidence[:2], "intermediate")  # type: ignore[arg-type]
    [reason] = [b for b in before if b.role == "reason"]
    assert reason.text.count("— from") == 1


def test_questions_about_a_scores_ending_and_mode_are_answered_with_their_reason() -> None:
    """'How does it end?' gets the last cadence and why it sounds so; 'which mode?' the mode
    and the note that makes it that mode; a clean score's next step names the notes into its
    tonic. The claim checker refutes none of those sentences."""
    from etude.agents.reply import _answer_phrase, asked_of_score
    from etude.claims import ClaimContext, check_sentence
    from etude.claims.guard import sentences
    from etude.evidence import Evidence

    report = {
        "bars": 4,
        "key": {"tonic": "F#", "mode": "minor"},
        "cadences": [{"kind": "authentic", "bar": 3, "figures": ["V7", "i"]}] * 2,
    }
    overview = Evidence(tool="critic", kind="analysis", summary="…", data=report)
    ending = asked_of_score("what key is it in and how does it end?", overview)
    assert ending[0].count("bar 3, authentic cadence") == 1  # listed once
    assert "because the dominant resolves to the tonic chord" in ending[1]
    modal = {"bars": 8, "key": {"tonic": "D", "mode": "dorian"}}
    [mode] = asked_of_score(
        "which mode did I end up in?",
        Evidence(tool="critic", kind="analysis", summary="…", data=modal),
    )
    assert "D dorian" in mode and "B instead of Bb, a raised sixth" in mode
    assert "(F# – E or D# – E)" in _answer_phrase(
        {"bars": 8, "key": {"tonic": "E", "mode": "minor"}}
    )
    context = ClaimContext.of("how does it end?", [overview])
    for text in [*ending, mode]:
        for sentence in sentences(text):
            assert check_sentence(sentence, context=context).status != "refuted", sentence


def test_a_lesson_saying_no_such_exercise_is_dropped_when_another_tool_wrote_one() -> None:
    from etude.agents.reply import plan_reply
    from etude.evidence import Evidence

    declined = Evidence(
        tool="lesson",
        kind="other",
        summary="I have no sight reading exercises I can set and check.",
        authoritative=True,
        data={"type": "not_offered"},
    )
    written = Evidence(
        tool="abc_composer", kind="fact", summary="Here is an 8-bar exercise.", authoritative=True
    )
    question = "give me a sight-reading exercise"
    _, alone, _ = plan_reply(question, ["lesson"], [declined], "intermediate")
    _, both, _ = plan_reply(question, ["lesson", "abc_composer"], [declined, written], "beginner")
    assert any("no sight reading" in block.text for block in alone)
    assert not any("no sight reading" in block.text for block in both)


def test_a_critique_names_a_note_that_stands_out_once_beside_its_findings() -> None:
    """The critic hands over the encoder's standing-out note as information: the reply shows
    it once as a finding block (not as the answer), even when the encoder tool said it too."""
    from etude.agents.reply import plan_reply
    from etude.evidence import Evidence

    sentence = "Bar 6, alto (beat 2): this F4 is the least expected note in the piece."
    overview = Evidence(
        tool="critic",
        kind="analysis",
        summary="The score is in G major.",
        authoritative=True,
        data={"bars": 8, "key": {"tonic": "G", "mode": "major"}, "findings": []},
    )
    odd = Evidence(
        tool="critic", kind="analysis", summary=sentence, data={"type": "least_expected"}
    )
    told = Evidence(tool="encoder", kind="analysis", summary=sentence, authoritative=True)
    for evidence in ([overview, odd], [told, overview, odd]):
        _, before, _ = plan_reply(
            "What do you think of my piece?", ["critic"], evidence, "beginner"
        )
        shown = [block for block in before if block.text == sentence]
        assert len(shown) == 1
    assert [b.role for b in before if b.text == sentence] == ["answer"]  # the encoder's answer
    _, before, _ = plan_reply(
        "What do you think of my piece?", ["critic"], [overview, odd], "beginner"
    )
    assert [b.role for b in before if b.text == sentence] == ["finding"]


def test_what_makes_a_kind_is_not_answered_as_a_why_question() -> None:
    """A why-question is answered with its reason first and drops the computed steps; "what
    makes a cadence plagal?" asks for the definition, "what makes it weak?" for the reason."""
    from etude.agents.reply import read_intent

    for question in (
        "what makes a cadence plagal?",
        "What makes a chord augmented",
        "what makes a scale pentatonic?",
    ):
        assert read_intent(question, ["theory"], []) != "why", question
    for question in ("what makes a cadence weak?", "what makes a melody sound finished"):
        assert read_intent(question, ["theory"], []) == "why", question


@pytest.mark.parametrize(
    "question",
    [
        "is a perfect fourth 6 semitones?",
        "is a major sixth 8 semitones",
        "how many semitones in a perfect fifth?",
        "does a major second have 1 semitone?",
    ],
)
def test_a_step_that_only_says_the_answer_again_is_left_out(question: str) -> None:
    """ "A major third spans 4 semitones; this one spans 4 too, so it is a major third" under
    "No — a major third spans 4 semitones" is the answer again, not a step to repeat."""
    text = _plan(question, "intermediate")["text"]
    assert "How to work it out:" in text and "Count the semitones" in text
    assert "too, so it is" not in text, text


def test_a_step_that_adds_to_the_answer_stays() -> None:
    # found from two notes, the quality is the step's conclusion, not the learner's premise
    text = _plan("is C to E a major third?", "intermediate")["text"]
    assert "this one spans 4 too, so it is a major third" in text
    text = _plan("is a minor sixth 9 semitones?", "intermediate")["text"]
    assert "A major sixth spans 9 semitones; this one spans 8, one fewer" in text
    text = _plan("is the dominant of F major C?", "intermediate")["text"]
    assert "F – G – A – Bb – C" in text
    # a key signature's verdict is worked out as the direct question is (the order sharps
    # enter in), never with its own answer as the only step
    text = _plan("does D major have three sharps?", "intermediate")["text"]
    assert text.startswith("No — D major has 2 sharps")
    assert "1. Sharps always enter in the order F C G D A E B; 2: F#, C#." in text
    assert "1. D major has 2 sharps" not in text


def test_read_more_offers_sections_on_the_point_of_the_question() -> None:
    """The nearest sections to "is a major third 3 semitones?" included "The tritone § What
    the tritone is": close in meaning, off the point."""
    from etude.agents.reply import further_reading

    tritone = _passage("The tritone", "What the tritone is", 0.56)
    sizes = _passage("Interval quality", "Semitone sizes of the common intervals", 0.55)
    for question in ("is a major third 3 semitones?", "how many semitones in a minor sixth?"):
        footer = further_reading([sizes, tritone], [], question=question)  # type: ignore[list-item]
        assert "Semitone sizes" in footer and "tritone" not in footer, question
    assert "tritone" in further_reading([tritone], [], question="what is a tritone?")  # type: ignore[list-item]
    ending = _passage("Authentic cadences", "How to fix an ending that sounds unfinished", 0.56)
    walking = _passage("Walking bass lines", "Why the approach note on beat 4 works", 0.52)
    footer = further_reading([ending, walking], [], question="how do I end a tune?")  # type: ignore[list-item]
    assert "ending" in footer and "Walking" not in footer
    # a question with no words of its own to judge by keeps every section
    assert "Walking" in further_reading([walking], [], question="and then?")  # type: ignore[list-item]


def test_no_passage_keeps_the_closest_articles_it_promises() -> None:
    """ "The closest articles are listed below" must be followed by them, on the point or not."""
    from etude.agents.reply import NO_PASSAGE, plan_reply

    walking = _passage("Walking bass lines", "Why the approach note on beat 4 works", 0.40)
    _, before, after = plan_reply(
        "how should a phrase close?",
        ["theory"],
        [walking],
        "intermediate",  # type: ignore[list-item]
    )
    assert [b.text for b in before] == [NO_PASSAGE]
    assert any(b.text.startswith("Read more: Walking bass lines") for b in after)


def _section(name: str) -> object:
    """A knowledge-base section as the theory tool's retrieval hands it over."""
    from etude.evidence import Citation, Evidence
    from etude.knowledge.articles import ARTICLES_DIR, chunk_article, parse_article

    article_id, heading = name.split("#")
    chunk = next(
        c
        for c in chunk_article(parse_article(ARTICLES_DIR / f"{article_id}.md"))
        if c.section.startswith(heading)
    )
    cite = Citation(
        article=chunk.article,
        title=chunk.title,
        section=chunk.section,
        chunk_id=chunk.id,
        score=0.7,
    )
    text = chunk.text.split("\n", 1)[-1].strip()
    return Evidence(tool="theory", kind="passage", summary=text, citation=cite)


def test_a_how_question_gets_the_sections_example_and_its_tip_as_the_next_step() -> None:
    """ "How do I end a melody so it sounds finished?" had a quote and nothing to hear or do:
    the section's own ABC example follows the quote, and its tip is the next step."""
    from etude.agents.reply import plan_reply

    passage = _section("melody/ending-a-melody#How to end a melody")
    for question in ("how do I end a melody so it sounds finished?", "how should a tune close?"):
        _, before, after = plan_reply(question, ["theory"], [passage], "beginner")  # type: ignore[list-item]
        assert [block.role for block in before] == ["reason", "example"]
        assert "```abc" not in before[0].text and "Tip:" not in before[0].text
        assert before[1].text.startswith("Hear it, from the same section: In this four-bar")
        assert "```abc\nX:1" in before[1].text
        nexts = [block.text for block in after if block.role == "next"]
        assert nexts == [
            "Next, try the tip from the same section: If the ending still sounds abrupt, "
            "lengthen the final note to fill the bar and use longer notes in the bar before it, "
            "so the listener hears the close coming."
        ]


def test_a_how_question_with_a_passage_of_steps_reads_answer_how_example_next() -> None:
    """how-015: the steps of reading a time signature came before the passage's listening
    steps that answer "how can I tell 3/4 from 6/8 by listening?"."""
    from etude.agents.reply import plan_reply
    from etude.theory.hearing import heard_evidence
    from etude.tools.theory import computed

    question = "how can i tell if a song is in 3/4 or 6/8 just by listening"
    evidence = computed(question)
    evidence += heard_evidence(evidence)
    evidence.append(_section("meter/simple-and-compound-meter#How to tell 3/4 from 6/8"))  # type: ignore[arg-type]
    _, before, after = plan_reply(question, ["theory"], evidence, "beginner")
    assert [block.role for block in before] == ["answer", "answer", "reason", "example"]
    assert "1. Tap your foot" in before[2].text
    assert [block.role for block in after][:1] == ["next"]
    assert after[0].text.startswith("Next: clap two bars of 3/4")
