"""The API model -> file contents, through the Jinja templates.

Text from the spec reaches generated code only through the filters below:
`pyrepr` for string and number literals, `docstring` inside triple quotes,
`comment` after a `#`. No template puts spec text anywhere else.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import jinja2.nodes

from . import TEMPLATES, api, extensions, template_code
from .cache import cached, folder_for
from .errors import GeneratorError
from .hints import IMPORTS
from .template_code import Names, TemplateBytecode, built_names, compile_settings

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def pyrepr(value: Any) -> str:
    """A Python literal for a JSON scalar: the only way spec values enter code."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"  # YAML's `.inf`/`.nan`: repr would be a bare name
    if value is None or isinstance(value, bool | int | float | str):
        return repr(value)
    raise TypeError(f"not a scalar: {type(value).__name__}")


def docstring(text: str) -> str:
    """Text that can sit inside a triple-quoted docstring and end it only where we say."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return text + " " if text.endswith('"') else text


def comment(text: str) -> str:
    """Text on one comment line."""
    return " ".join(_CONTROL.sub("", text).split())


def markdown(text: str) -> str:
    """Spec text on one line of Markdown: HTML-escaped, so `<script>` is shown, not run.
    Descriptions are CommonMark by the OpenAPI specification: emphasis and links stay."""
    text = comment(text)
    out: list[str] = []
    previous = 0
    for span in _CODE_SPAN.finditer(text):
        out += [html.escape(text[previous:span.start()], quote=False), span.group()]
        previous = span.end()
    return "".join([*out, html.escape(text[previous:], quote=False)])


# A code span: a run of backticks, the code, the same run. Its content is shown as is
# by Markdown (no HTML), so only the text between spans is escaped.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")


def code_span(text: str, table: bool = False) -> str:
    """Spec text as a Markdown code span: shown literally (no HTML, no emphasis), fenced
    by more backticks than it holds, and `|` escaped where it would split a table cell."""
    text = comment(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    if table:
        padded = padded.replace("|", "\\|")
    return f"{fence}{padded}{fence}"


def pycode(value: Any) -> str:
    """`pyrepr` for a fenced code block in Markdown: a backtick (which could end the
    block) is written as its escape, which a Python string literal reads back the same."""
    return pyrepr(value).replace("`", "\\x60")


def imports_for(hints: list[str]) -> list[tuple[str, str]]:
    """`from module import a, b` lines (as (module, "a, b")) needed by some type hints."""
    names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", " ".join(hints)))
    by_module: dict[str, list[str]] = {}
    for module, name in sorted({IMPORTS[n] for n in names if n in IMPORTS}):
        by_module.setdefault(module, []).append(name)
    return [(module, ", ".join(found)) for module, found in sorted(by_module.items())]


class _Environment(jinja2.Environment):
    """Jinja's environment, noting what each template it compiles names (the render
    cache's keys need it): on a first run each template is then parsed once, not once
    to compile it and again to read its names."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.names_in: dict[str, Names] = {}

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        tree = super()._parse(source, name, filename)
        if name is not None:
            self.names_in[name] = _names_in(tree)
        return tree


def _names_in(tree: jinja2.nodes.Template) -> Names:
    names = {node.name for node in tree.find_all(jinja2.nodes.Name)}
    return names | _reads(tree), list(jinja2.meta.find_referenced_templates(tree))


def _reads(tree: jinja2.nodes.Template) -> set[str]:
    """How each variable is read: `api.title` for `api.title` or `api["title"]`, `api.*`
    for any other read (`{{ api }}`, `api|attr(x)`, `set a = api`, a macro's argument),
    which may see every attribute. The render keys hold only the attributes a template
    reads: a file that never shows the spec's hash is not rendered again for a new one."""
    attribute: dict[int, str] = {}  # id of a Name node -> the attribute read from it
    for getattr_node in tree.find_all(jinja2.nodes.Getattr):
        if isinstance(getattr_node.node, jinja2.nodes.Name):
            attribute[id(getattr_node.node)] = getattr_node.attr
    for item in tree.find_all(jinja2.nodes.Getitem):
        if isinstance(item.node, jinja2.nodes.Name) and isinstance(
                item.arg, jinja2.nodes.Const) and isinstance(item.arg.value, str):
            attribute[id(item.node)] = item.arg.value
    return {f"{node.name}.{attribute.get(id(node), _WHOLE)}"
            for node in tree.find_all(jinja2.nodes.Name) if node.ctx == "load"}


def environment(user_templates: Path | None, *, building: Path | None = None) -> _Environment:
    """User templates first, so a user overrides one file at a time. Compiled templates
    come from those built with the generator, else from the cache (template_code.py);
    `building`: compile every template afresh into that folder."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    # We emit Python, not HTML: HTML escaping would corrupt code; the filters escape instead.
    env = _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        # Jinja's optimizer folds constants at compile time: the same output, and a
        # sixth of compiling our templates.
        optimized=False,
    )
    env.add_extension("jinja2.ext.do")
    env.filters.update(pyrepr=pyrepr, docstring=docstring, comment=comment, markdown=markdown,
                       code_span=code_span, pycode=pycode)
    env.globals.update(imports_for=imports_for, bulk_order=extensions.bulk_order)
    settings = compile_settings(env)
    env.bytecode_cache = (TemplateBytecode(settings, cache=building, built=None)
                          if building is not None else
                          TemplateBytecode(settings, cache=folder_for("jinja"),
                                           built=template_code.BUILT))
    return env


def our_templates(env: jinja2.Environment) -> list[str]:
    """The Jinja templates (not the static runtime files) `env` finds."""
    return sorted(name for name in env.list_templates() if name.endswith(".jinja"))


# The runtime of `<operation>_all` and `python -m <package>`: only in clients that have them.
BULK_RUNTIME = ("runtime/_bulk", "runtime/_cli")
# The runtime of `<operation>_iter` (x-pagination): likewise.
PAGINATION_RUNTIME = ("runtime/_pagination",)


def runtime_modules(env: _Environment) -> list[str]:
    """Static runtime files (`templates/runtime/*.py`), copied into every client."""
    return sorted(name for name in env.list_templates()
                  if name.startswith("runtime/") and name.endswith(".py"))


def _context(model: api.Api, generator_version: str, models_source: str | None) -> dict[str, Any]:
    return {
        "api": model,
        "package": model.options["package"],
        "client_name": model.options["client_name"],
        "env_prefix": model.options["env_prefix"],
        "generator_version": generator_version,
        "models_source": models_source,
    }


def _render(env: _Environment, template: str, path: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise GeneratorError(f"template {exc.name} not found, needed for {path}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise GeneratorError(f"{exc.filename or exc.name or template}:{exc.lineno}: "
                             f"template error: {exc.message}") from exc
    except jinja2.TemplateError as exc:  # undefined names and the like, at render time
        raise GeneratorError(f"template {template} failed while rendering {path}: "
                             f"{exc}") from exc


def _cached_render(env: _Environment, keys: _RenderKeys, template: str, path: str,
                   context: dict[str, Any]) -> str:
    """`_render`, or its earlier result for the same templates and variables."""
    key = keys.key(template, context)
    if key is None:
        return _render(env, template, path, context)
    return cached("render", "jinja2", key, lambda: _render(env, template, path, context))


def render_package(model: api.Api, models_source: str | None, generator_version: str,
                   user_templates: Path | None) -> tuple[dict[str, str], frozenset[str]]:
    """Relative path inside the package -> text before formatting, and which are static.

    Static files (the runtime) are committed already formatted (a test checks it),
    so they skip formatting. With `models_source` None, `models.py` is left out: the
    models are still being made (see `render_models`).
    """
    env = environment(user_templates)
    context = _context(model, generator_version, models_source)
    files: dict[str, str] = {}
    keys = _RenderKeys(env)

    def emit(path: str, template: str, **extra: Any) -> None:
        files[path] = _cached_render(env, keys, template, path, {**context, **extra})

    emit("__init__.py", "package/__init__.py.jinja")
    emit("_version.py", "package/_version.py.jinja")
    emit("_client.py", "package/_client.py.jinja")
    if models_source is not None:
        emit("models.py", "package/models.py.jinja")
    emit("resources/__init__.py", "package/resources/__init__.py.jinja")
    for resource in model.resources:
        emit(f"resources/{resource.module}.py", "package/resources/resource.py.jinja",
             resource=resource)
    emit("README.md", "package/README.md.jinja")
    if any(op.bulk for r in model.resources for op in r.operations):
        emit("__main__.py", "package/__main__.py.jinja")  # `python -m <package>` bulk commands
    files["py.typed"] = ""
    static = set()
    for name in runtime_modules(env):
        if name.startswith(BULK_RUNTIME) and "__main__.py" not in files:
            continue  # a client with no bulk operation does not carry the bulk engine
        if name.startswith(PAGINATION_RUNTIME) and not any(
                op.pagination for r in model.resources for op in r.operations):
            continue
        source = env.loader.get_source(env, name)[0] if env.loader else ""
        files[name.removeprefix("runtime/")] = source
        static.add(name.removeprefix("runtime/"))
    return files, frozenset(static)


def render_models(model: api.Api, models_source: str, generator_version: str,
                  user_templates: Path | None) -> str:
    """`models.py` before formatting, once the models are made."""
    return _render(environment(user_templates), "package/models.py.jinja", "models.py",
                   _context(model, generator_version, models_source))


def header(model: api.Api, generator_version: str, path: str) -> str:
    """The first lines of every generated file: who made it, from what, and 'do not edit'."""
    lines = (
        f"Generated by clientgen {generator_version} from {comment(model.spec_name)}; do not edit.",
        f"spec sha256: {model.spec_sha256}",
    )
    if path.endswith(".md"):
        return "<!--\n" + "\n".join(lines) + "\n-->\n\n"
    return "".join(f"# {line}\n" for line in lines)


class _RenderKeys:
    """Cache keys for rendered files: a file is decided by the templates, the values of
    the variables its template (or any template it imports or includes) names, Jinja's
    version and the generator's source (filters, globals, the model's classes: the
    cache's salt). A resource module's key holds its resource, not the whole API, so
    editing one operation renders one module again."""

    def __init__(self, env: _Environment) -> None:
        self.env = env
        self.names = env.list_templates()
        digest = hashlib.sha256()
        try:
            for name in self.names:  # every template as this environment loads it
                digest.update(name.encode() + b"\0" + _source(env, name).encode() + b"\0")
            self.templates: str | None = digest.hexdigest()
        except (jinja2.TemplateError, OSError, UnicodeError):
            self.templates = None  # an unreadable file in the folders: no cache this run
        self._shared: dict[str, str] = {}
        self._used: dict[str, str] = {}  # template -> the names it uses
        self._resources: dict[int, tuple[api.Resource, str]] = {}  # id -> (it, its digest)
        self._fields: dict[str, str] = {}  # a field of the API -> its digest

    def key(self, template: str, variables: dict[str, Any]) -> str | None:
        """The key of rendering `template` with `variables`; None: render it uncached
        (a template it needs is missing or broken: rendering names the problem)."""
        if self.templates is None or template not in self.names:
            return None
        if template not in self._used:
            self._used[template] = cached("render-names", "jinja2",
                                          f"{self.templates}\0{template}",
                                          lambda: _names_used(self.env, template))
        used = self._used[template]
        if used == _BROKEN:
            return None
        reads = set() if used == _ANY else set(used.split("\n"))
        names = sorted(variables) if used == _ANY else sorted(reads & set(variables))
        return "\0".join([self.templates, template, *(
            f"{name}={self._repr(name, variables[name], reads)}" for name in names)])

    def _repr(self, name: str, value: Any, used: set[str]) -> str:
        """The value in full (the model's dataclasses show every field; the rest are
        strings), as the digest of its repr: a big API's repr is megabytes, and every
        file's key would copy and hash it again. A variable every file shares is
        digested once a run, and the API with the digests of its resources made for
        their modules. Of the API, only the fields the template reads (`used`, see
        `_reads`) when it reads nothing else of it."""
        if name not in _CONTEXT_NAMES:
            return self._resource(value) if isinstance(value, api.Resource) else _digest(
                repr(value))
        if isinstance(value, api.Api):
            read = {use.removeprefix(f"{name}.") for use in used
                    if use.startswith(f"{name}.")}
            if read and read <= _API_FIELDS:  # none: names built before reads were noted
                return "\0".join(f"{field}:{self._api_field(value, field)}"
                                  for field in sorted(read))
        if name not in self._shared:
            self._shared[name] = _digest("\0".join([
                repr(replace(value, resources=())), self._api_field(value, "resources")])
                if isinstance(value, api.Api) else repr(value))
        return self._shared[name]

    def _api_field(self, model: api.Api, field: str) -> str:
        if field not in self._fields:
            self._fields[field] = _digest("\0".join(
                self._resource(r) for r in model.resources) if field == "resources" else
                repr(getattr(model, field)))
        return self._fields[field]

    def _resource(self, resource: api.Resource) -> str:
        if id(resource) not in self._resources:
            self._resources[id(resource)] = (resource, _digest(repr(resource)))
        return self._resources[id(resource)][1]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# The variables every file shares (their repr is made once a run); `resource` varies.
_CONTEXT_NAMES = frozenset({"api", "package", "client_name", "env_prefix",
                            "generator_version", "models_source"})
_ANY = "*"  # a template names another by an expression: it may see any variable
_WHOLE = "*"  # `name.*`: a variable read otherwise than by a constant attribute
_API_FIELDS = frozenset(field.name for field in fields(api.Api))
_BROKEN = "!"


def _source(env: jinja2.Environment, name: str) -> str:
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def _names_used(env: _Environment, template: str) -> str:
    """Every name in `template` and in every template it reaches, one a line (`_ANY` if
    it reaches one by an expression, `_BROKEN` if one cannot be parsed). A name the
    template sets itself is counted too: a key holding a variable it does not read is
    only more precise than needed. Each template is compiled here, as rendering would
    (its names are noted as it is parsed); for one compiled already (built with the
    generator, or in the cache) they come from the built index, else from parsing it."""
    names: set[str] = set()
    pending, seen = [template], {template}
    while pending:
        name = pending.pop()
        try:
            if name not in env.names_in:
                env.get_template(name)
            if name not in env.names_in:
                source = _source(env, name)
                env.names_in[name] = built_names(compile_settings(env), name, source) or \
                    _names_in(env.parse(source, name))
        except jinja2.TemplateError:
            return _BROKEN
        found, referenced = env.names_in[name]
        names |= found
        for reached in referenced:
            if reached is None:
                return _ANY
            if reached not in seen:
                seen.add(reached)
                pending.append(reached)
    return "\n".join(sorted(names))
