"""`models.py` formatted from its pieces is the module formatted whole (issue 8)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from cli_support import ROOT

from generator.fmt import format_sources
from generator.loader import load_spec
from generator.model_pool import start_models
from generator.model_processes import ModelPool
from generator.models_module import JoinedModels
from generator.parse import parse
from generator.render import render_models

# The model generator's own remarks on these documents (unknown integer formats): the
# run reports them; here they are expected.
pytestmark = pytest.mark.filterwarnings("ignore:format of:UserWarning")
SPECS = ROOT.parent / "shared" / "specs"
DOCUMENTS = [ROOT / "spec" / "masivo.yaml", SPECS / "slack.json", SPECS / "docker_engine.json",
             SPECS / "github_ghes-3.6.json"]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIENTGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("CLIENTGEN_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@cache
def models_of(document: Path) -> tuple[JoinedModels, str]:
    """The joined models of `document`, and the template's output around them."""
    parsed = parse(load_spec(document), {"package": "x_client", "client_name": "X",
                                         "env_prefix": "X"})
    joined = start_models(parsed.schema_document, parsed.api.schema_names,
                          ModelPool(workers=1)).result()
    return joined, render_models(parsed.api, joined.source, "0.0", None)


def formatted_whole(rendered: str) -> str:
    return format_sources({"models.py": rendered}, compiled=True)["models.py"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.stem)
def test_the_pieces_formatted_are_the_module_formatted_whole(document: Path) -> None:
    if not document.is_file():
        pytest.skip(f"{document} not present")
    joined, rendered = models_of(document)
    assert len(joined.bodies) > 1 or document.stem == "masivo"
    whole = formatted_whole(rendered)
    assert joined.formatted(rendered) == whole
    # Unused imports were there to drop, and the sorted block is not the joined one.
    assert rendered.count("\nfrom ") > whole.count("\nfrom ")


def test_a_template_that_writes_more_than_a_docstring_is_formatted_whole() -> None:
    joined, rendered = models_of(ROOT / "spec" / "masivo.yaml")
    models = rendered[rendered.index(joined.source):]
    assert joined.formatted(rendered + "\nEXTRA = 1\n") is None
    assert joined.formatted(rendered.replace(joined.source, joined.source.upper())) is None
    # An import of the template's own: whether the models use it decides whether it stays.
    assert joined.formatted('"""Models."""\n\nimport enum\n\n\n' + models) is None
    assert joined.formatted("X = (\n" + models) is None
    # Another docstring, and comments, are the head's.
    changed = '# A comment.\n"""Other models."""\n\n# Another.\n\n\n' + models
    assert joined.formatted(changed) == formatted_whole(changed)


def test_a_run_with_such_a_template_formats_the_module_whole(tmp_path: Path) -> None:
    from generator.config import Config
    from generator.pipeline import build_files

    templates = tmp_path / "templates" / "package"
    templates.mkdir(parents=True)
    (templates / "models.py.jinja").write_text(
        '"""Models."""\n\nimport enum\n\n{{ models_source }}\n')
    config = Config(spec=ROOT / "spec" / "masivo.yaml", output=tmp_path / "out",
                    package="m_client", client_name="M", env_prefix="M",
                    templates=tmp_path / "templates")
    models = build_files(config)[0]["models.py"].decode()
    assert "import enum" not in models  # judged by F401 on the whole module: unused
    assert models.index('"""Models."""') < models.index("from __future__ import annotations")
    compile(models, "models.py", "exec")


def test_results_looked_up_ahead_are_used_and_only_the_new_group_is_looked_up(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """While the last group is made, the cache's results for the others are looked up
    (`ahead_of`); once it comes, only what it changed is looked up or formatted."""
    from generator import fmt, model_merge
    from generator.models_module import ahead_of

    document = SPECS / "slack.json"
    if not document.is_file():
        pytest.skip(f"{document} not present")
    joined, _ = models_of(document)  # every group formatted and in the cache
    parsed = parse(load_spec(document), {"package": "x_client", "client_name": "X",
                                         "env_prefix": "X"})
    job = start_models(parsed.schema_document, parsed.api.schema_names, ModelPool(workers=1))
    parts = [part for part in job._parts if part is not None]
    assert len(parts) == len(joined.bodies) > 2
    whole = model_merge.join(parts, job._components)
    ahead = ahead_of(model_merge.join(parts[:-1], job._components))  # the last one pending
    looked_up: list[str] = []
    original = fmt.lookup

    def counting(kind: str, distribution: str, key: str) -> str | None:
        looked_up.append(kind)
        return original(kind, distribution, key)

    monkeypatch.setattr(fmt, "lookup", counting)
    again = JoinedModels.of(whole, ahead)
    assert again.bodies == joined.bodies and again.imports == joined.imports
    assert sorted(looked_up) == ["fix:F401", "format:None"]  # the last group's, alone
