"""Validation errors in plain words at the file's line: a pydantic error's location followed
through the YAML node tree (``scenarios/x.yaml:12: strategy.levers.cctv.cameras: must be >= 0``),
with "did you mean" for a misspelt field."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tranqsim.errors import ScenarioError
from tranqsim.levers import REGISTRY


def _walk(node: yaml.Node | None, loc: tuple) -> tuple[int | None, list[str], bool]:
    """Follow a pydantic error location through the node tree.

    Returns the best line, the path components that exist in the file (union tags such as
    ``Zone`` or ``literal[...]`` are skipped), and whether the last component was a key
    found in a mapping (for 'unknown field' errors the key's own line is wanted).
    """
    line = node.start_mark.line + 1 if node is not None else None
    parts: list[str] = []
    key_line = False
    for comp in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if str(k.value) == str(comp):
                    parts.append(str(comp))
                    line, node, key_line = k.start_mark.line + 1, v, True
                    break
            else:
                if isinstance(comp, str) and not _is_tag(comp):
                    parts.append(comp)  # a missing key: keep the name, line of the parent
                continue
        elif isinstance(node, yaml.SequenceNode) and isinstance(comp, int) and comp < len(node.value):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{comp}]"]
            node = node.value[comp]
            line = node.start_mark.line + 1
        elif not _is_tag(str(comp)):
            parts.append(str(comp))
    return line, parts, key_line


def _is_tag(comp: str) -> bool:
    return comp[:1].isupper() or "[" in comp or comp in {"str", "int", "float", "bool"}


# --------------------------------------------------------------------------- messages
def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str] | None:
    """The field names allowed at ``loc`` inside ``model`` (for 'did you mean')."""
    cls: Any = model
    for comp in loc:
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return None
        f = cls.model_fields.get(str(comp))
        if f is None:
            continue  # union tag
        cls = _model_in(f.annotation)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return list(cls.model_fields)
    return None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            m = _model_in(arg)
            if m is not None:
                return m
    return None


def field_message(err: dict, model: type[BaseModel], loc: tuple) -> str:
    """One pydantic error in plain words (also used by the UI's lever controls)."""
    t, ctx, given = err["type"], err.get("ctx", {}), err.get("input")
    if t == "extra_forbidden":
        key = str(loc[-1])
        parent = tuple(loc[:-1])
        allowed = _allowed_keys(model, parent) or []
        if parent and str(parent[-1]) == "levers":
            return f"unknown lever {key!r} (known: {', '.join(REGISTRY)})"
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else (
            f" (allowed: {', '.join(allowed)})" if allowed else "")
        return f"unknown field {key!r}{hint}"
    bounds = {"greater_than_equal": (">=", "ge"), "less_than_equal": ("<=", "le"),
              "greater_than": (">", "gt"), "less_than": ("<", "lt")}
    if t in bounds:
        op, k = bounds[t]
        return f"must be {op} {ctx.get(k)} (got {given!r})"
    if t == "missing":
        return "required field missing"
    if t in ("int_parsing", "int_type", "int_from_float"):
        return f"must be an integer (got {given!r})"
    if t in ("float_parsing", "float_type"):
        return f"must be a number (got {given!r})"
    if t in ("bool_parsing", "bool_type"):
        return f"must be true or false (got {given!r})"
    if t == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {given!r})"
    if t in ("string_type",):
        return f"must be a text (got {given!r})"
    if t in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of keys (got {given!r})"
    if t == "string_too_short":
        return "must not be empty"
    msg = err.get("msg", "invalid value")
    return msg.removeprefix("Value error, ")


def _pick(errors: list[dict]) -> dict:
    """The error to show. An unknown key comes first: a misspelt field (``camera``) also leaves
    the right one (``cameras``) missing, and "did you mean 'cameras'?" is the useful message.
    Otherwise the first: for unions pydantic reports one error per branch, the first names the
    simplest form."""
    return next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])


def validate(model: type[BaseModel], data: Any, node: yaml.Node | None, shown: str,
             prefix: tuple = ()) -> Any:
    """Validate ``data`` against ``model``; on failure raise one ScenarioError with file:line."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = _pick(exc.errors())
        loc = tuple(err["loc"])
        line, parts, _ = _walk(node, loc)
        field = ".".join(list(prefix) + parts) or "(top level)"
        where = f"{shown}:{line}" if line is not None else shown
        raise ScenarioError(f"{where}: {field}: {field_message(err, model, loc)}") from None
