from pathlib import Path

from etude_abc_composer import TOOL
from etude_abc_composer.abc_text import parse_abc
from music21 import converter

from etude.config import Settings
from etude.tools.base import ToolRequest

TUNE = "X:1\nT:Tune\nM:3/4\nL:1/4\nK:D\nD F A | B A F | G E C | D3 |]\n"


def test_compose_request_returns_parseable_abc_and_files(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    question = "Write a 4-bar melody in A minor in 3/4 for violin and give me the MIDI file"
    evidence = TOOL.run(ToolRequest(question=question, session="s1"), settings)
    data = evidence[0].data
    assert parse_abc(str(data["abc"])) and data["violations"] == []
    midi = Path(str(data["files"][0]))  # type: ignore[index]
    assert midi.suffix == ".mid" and midi.parent == tmp_path / "abc_composer" / "s1"
    assert len(converter.parse(str(midi)).recurse().notes) > 0


def test_convert_abc_in_the_message_to_musicxml(tmp_path: Path) -> None:
    evidence = TOOL.run(ToolRequest(question="Convert this ABC to MusicXML:\n" + TUNE),
                        Settings(data_dir=tmp_path))  # fmt: skip
    path = Path(str(evidence[0].data["files"][0]))  # type: ignore[index]
    assert path.suffix == ".musicxml" and "as in the source" in evidence[0].summary
    assert len(converter.parse(str(path)).recurse().notes) == 10


def test_convert_attachment_to_abc(tmp_path: Path) -> None:
    source = tmp_path / "tune.musicxml"
    parse_abc(TUNE).write("musicxml", fp=str(source))
    request = ToolRequest(question="Export this as ABC", attachment=source,
                          attachment_format="musicxml")  # fmt: skip
    evidence = TOOL.run(request, Settings(data_dir=tmp_path))
    abc = str(evidence[0].data["abc"])
    assert "K:D" in abc and "M:3/4" in abc
    assert [n.name for n in parse_abc(abc).recurse().notes][:3] == ["D", "F#", "A"]


def test_harmonise_abc_from_the_message(tmp_path: Path) -> None:
    evidence = TOOL.run(ToolRequest(question="Please harmonise my tune:\n" + TUNE),
                        Settings(data_dir=tmp_path))  # fmt: skip
    assert evidence[0].data["violations"] == []
    assert "V:2" in str(evidence[0].data["abc"])
