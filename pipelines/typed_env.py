"""Settings read from environment variables with pydantic (plain Python, no Dagster): the kinds of
field, and `read`, which validates a model of sections from the environment and turns every problem
into one line naming its variable. pipelines/settings.py declares the project's settings with them.

A field's alias is its variable; an empty variable counts as unset. A field's `Rule` says what its
variable must be: `NAME must be <rule>, not 'value'` (a secret's value is not shown); a validator
can use its own words instead by raising `Refused` (`NAME: <words>`) or `MustBe`.
"""

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, NamedTuple, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """Settings that cannot be used; `problems` names each variable and what it must be."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid settings: " + "; ".join(problems))
        self.problems = problems


class Rule(NamedTuple):
    """What a variable must be, for its error: `NAME must be <text>, not 'value'`."""

    text: str
    secret: bool = False  # the value is not shown


class Refused(ValueError):
    """A validator's own words for a refused value: `NAME: <words>`."""


class MustBe(ValueError):
    """A validator's own end of the sentence `NAME must be <words>`."""


class Section(BaseModel):
    """Settings of one concern; each field is read from the variable its alias names."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True)


def env(name: str, default: Any = None, **options: Any) -> Any:
    """The field read from the variable `name` (its default: `default`, or `default_factory`)."""
    if "default_factory" in options:
        return Field(alias=name, **options)
    return Field(default, alias=name, **options)


def whole(low: int, high: int) -> Any:
    return Annotated[int, Field(ge=low, le=high), Rule(f"a whole number between {low} and {high}")]


def finite(low: float, high: float) -> Any:
    rule = Rule(f"a finite number between {low:g} and {high:g}")
    return Annotated[float, Field(ge=low, le=high, allow_inf_nan=False), rule]


def accepted(test: Callable[[str], Any], rule: str, *, secret: bool = False) -> Any:
    """A text that `test` accepts, or None when unset."""

    def check(value: str | None) -> str | None:
        if value is not None and not test(value):
            raise ValueError(rule)
        return value

    return Annotated[str | None, AfterValidator(check), Rule(rule, secret)]


def matching(pattern: str | re.Pattern, what: str) -> Any:
    return accepted(re.compile(pattern).fullmatch, what)


def one_of(choices: Iterable[str], normalise: Callable[[str], str] = str.strip) -> Any:
    choices = tuple(choices)
    return accepted(lambda v: normalise(v) in choices, "one of " + ", ".join(map(repr, choices)))


Flag = Annotated[
    bool,
    BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v),
    Rule("1 or 0 (true or false)"),
]
ResolvedPath = Annotated[Path, AfterValidator(Path.resolve)]

Model = TypeVar("Model", bound=Section)


def variables(model: type[BaseModel], section: str | None = None) -> Iterator[tuple]:
    """(section, variable, field) of every field; a section's fields under the section's name."""
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, Section):
            yield from variables(field.annotation, name)
        else:
            yield section, field.alias, field


def read(model: type[Model], environ: Mapping[str, str]) -> Model:
    """`model` from the environment, its validators given the set variables as context; every
    problem at once as a SettingsError."""
    fields = list(variables(model))
    given = {name: environ[name] for _, name, _ in fields if str(environ.get(name, "")).strip()}
    data: dict[str, Any] = {}
    for section, name, _ in fields:
        inside = data.setdefault(section, {}) if section else data
        if name in given:
            inside[name] = given[name]
    try:
        return model.model_validate(data, context=given)
    except ValidationError as invalid:
        rules = {
            name: next((m for m in f.metadata if isinstance(m, Rule)), None)
            for _, name, f in fields
        }
        raise SettingsError([problem(e, given, rules) for e in invalid.errors()]) from None


def problem(
    error: Mapping[str, Any], given: Mapping[str, str], rules: Mapping[str, Rule | None]
) -> str:
    """One line naming the variable at fault and what it must be."""
    name = str(error["loc"][-1])
    reason, rule = (error.get("ctx") or {}).get("error"), rules.get(name)
    if isinstance(reason, Refused):
        return f"{name}: {reason}"
    if isinstance(reason, MustBe):
        return f"{name} must be {reason}"
    if rule is None:
        return f"{name}: {error['msg']}"
    shown = "; its value is not shown" if rule.secret else f", not {given.get(name)!r}"
    return f"{name} must be {rule.text}{shown}"
