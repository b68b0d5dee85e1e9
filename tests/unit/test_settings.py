"""Which adapter the tutor runs: the shipped one by default, only on the model it fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from etude.config import SHIPPED_ADAPTER, Settings


def test_the_shipped_adapter_is_the_default_for_the_embedded_model() -> None:
    assert Settings().adapter_dir == str(SHIPPED_ADAPTER)
    assert (SHIPPED_ADAPTER / "adapter_model.safetensors").is_file()


@pytest.mark.parametrize("value", ["none", "None", None])
def test_none_means_the_base_model(value: str | None) -> None:
    assert Settings(adapter=value).adapter_dir is None


def test_another_base_model_gets_no_default_adapter() -> None:
    assert Settings(model="/models/llama-2-7b-chat").adapter_dir is None


def test_an_explicit_adapter_is_used_as_given(tmp_path: Path) -> None:
    chosen = Settings(model="/models/llama-2-7b-chat", adapter=str(tmp_path))
    assert chosen.adapter_dir == str(tmp_path)


def test_the_environment_selects_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ETUDE_ADAPTER", raising=False)
    assert Settings.from_env().adapter_dir == str(SHIPPED_ADAPTER)
    monkeypatch.setenv("ETUDE_ADAPTER", "none")
    assert Settings.from_env().adapter_dir is None
