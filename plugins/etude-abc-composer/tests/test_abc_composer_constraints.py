from etude_abc_composer.constraints import parse_constraints


def test_free_phrasing_with_range_tempo_and_style() -> None:
    c = parse_constraints(
        "Could you write a 12 bar jig in F sharp mixolydian for fiddle at 132 bpm"
    )
    assert (c.tonic, c.mode, c.meter, c.bars, c.style, c.instrument, c.tempo) == (
        "F#", "mixolydian", "6/8", 12, "jig", "fiddle", 132)  # fmt: skip
    assert set(c.stated) == {"key", "mode", "bars", "style", "instrument", "tempo"}


def test_unstated_constraints_are_not_claimed() -> None:
    c = parse_constraints("write me a melody")
    assert c.stated == [] and (c.tonic, c.mode, c.meter, c.bars) == ("C", "major", "4/4", 8)


def test_tasks() -> None:
    assert parse_constraints("Harmonise this melody in G").task == "harmonisation"
    assert parse_constraints("Convert this ABC to MIDI").target == "midi"
    assert parse_constraints("an arpeggio exercise in D for cello").exercise == "arpeggio"
