"""Single-table statements for the hot paths, without the ORM's query compiler.

Django builds and compiles every queryset afresh. On the web processes that costs 0.4-0.8 ms
of CPU per statement, several times what psycopg and the database need to answer it, and a
teacher's decision makes about ten statements. The few statements a decision makes are
written here instead: equality (and ``IN``) filters on one table (or a row found through
another table's reference to it), as plain SQL that
PostgreSQL and SQLite both understand. Values go through the model fields' own conversions
in both directions, so what is stored and what comes back is exactly what the ORM would
store and return; a model instance comes back as ``Model.from_db`` builds it for the ORM.

Everything else uses the ORM: this is for statements a request makes every time.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)


def rows(model: type[M], *, for_update: bool = False, **where: Any) -> list[M]:
    """``model.objects.filter(**where)`` (with ``select_for_update()``), for equality filters
    and ``name__in`` lists, as instances of ``model``."""
    db = connections[DEFAULT_DB_ALIAS]
    if for_update and not db.in_atomic_block:  # as the ORM: a lock outside one would end at once
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    condition, params = _where(db, model, where)
    if condition is None:
        return []
    lock = " FOR UPDATE" if for_update and db.features.has_select_for_update else ""
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {_select_list(model)} FROM {_table(model)} WHERE {condition}{lock}", params)
        fetched = cursor.fetchall()
    return [_instance(db, model, row) for row in fetched]


def rows_values(model: type[Model], names: list[str], **where: Any) -> list[tuple[Any, ...]]:
    """``model.objects.filter(**where).values_list(*names)``: only these columns, as tuples,
    for a read that needs a few columns of many rows and no instances."""
    db = connections[DEFAULT_DB_ALIAS]
    condition, params = _where(db, model, where)
    if condition is None:
        return []
    fields = [_field(model, name) for name in names]
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(_quoted(field) for field in fields)} FROM {_table(model)} "
                       f"WHERE {condition}", params)
        fetched = cursor.fetchall()
    converters = [_read_converters(db, model)[model._meta.concrete_fields.index(field)] for field in fields]
    return [tuple(_convert(db, row, converters)) for row in fetched]


def first_row(model: type[M], *, for_update: bool = False, **where: Any) -> M | None:
    """The one row the filter names (by a unique key), or None."""
    found = rows(model, for_update=for_update, **where)
    return found[0] if found else None


def referenced_row(model: type[M], *, by: type[Model], **where: Any) -> M | None:
    """The row of ``model`` that the one ``by`` row named by ``where`` points to (an API token's
    user), in one statement: ``model.objects.filter(pk=by.objects.filter(**where).values(fk)[:1])``."""
    db = connections[DEFAULT_DB_ALIAS]
    condition, params = _where(db, by, where)
    if condition is None:
        return None
    pointer = _reference_to(by, model)
    with db.cursor() as cursor:
        cursor.execute(f"SELECT {_select_list(model)} FROM {_table(model)} WHERE {_quoted(model._meta.pk)} = "
                       f"(SELECT {_quoted(pointer)} FROM {_table(by)} WHERE {condition} LIMIT 1)", params)
        found = cursor.fetchone()
    return _instance(db, model, found) if found else None


def rows_insert(instances: list[M]) -> list[M]:
    """``Model.objects.bulk_create(instances)`` for new instances of one model with a database-
    generated primary key (or their own): one INSERT, the keys read back in order (as Django
    does on PostgreSQL and SQLite), the instances marked saved."""
    if not instances:
        return instances
    model = type(instances[0])
    db = connections[DEFAULT_DB_ALIAS]
    if not db.features.can_return_rows_from_bulk_insert:  # an old SQLite: no RETURNING
        return model.objects.bulk_create(instances)
    pk = model._meta.pk
    generated = pk.db_returning  # an auto-increment key: the database gives it, we read it back
    fields = [field for field in model._meta.concrete_fields if not (generated and field is pk)]
    row = f"({', '.join(['%s'] * len(fields))})"
    params = [field.get_db_prep_save(field.pre_save(instance, add=True), db)
              for instance in instances for field in fields]
    returning = f" RETURNING {_quoted(pk)}" if generated else ""
    with db.cursor() as cursor:
        cursor.execute(f"INSERT INTO {_table(model)} ({', '.join(_quoted(f) for f in fields)}) "
                       f"VALUES {', '.join([row] * len(instances))}{returning}", params)
        keys = [found[0] for found in cursor.fetchall()] if generated else []
    for index, instance in enumerate(instances):
        if generated:
            setattr(instance, pk.attname, keys[index])
        instance._state.adding, instance._state.db = False, db.alias
    return instances


def rows_update(model: type[Model], where: dict[str, Any], values: dict[str, Any]) -> int:
    """``model.objects.filter(**where).update(**values)`` for plain values; how many rows."""
    db = connections[DEFAULT_DB_ALIAS]
    condition, params = _where(db, model, where)
    if condition is None:
        return 0
    assignments, values_params = [], []
    for name, value in values.items():
        field = _field(model, name)
        assignments.append(f"{_quoted(field)} = %s")
        values_params.append(field.get_db_prep_save(value, db))
    with db.cursor() as cursor:
        cursor.execute(f"UPDATE {_table(model)} SET {', '.join(assignments)} WHERE {condition}",
                       [*values_params, *params])
        return cursor.rowcount


def _where(
    db: BaseDatabaseWrapper, model: type[Model], where: dict[str, Any]
) -> tuple[str | None, list[Any]]:
    """The WHERE clause and its parameters; None when an empty ``IN`` list matches nothing."""
    if not where:
        raise ValueError("a statement of this module always names the rows it touches")
    clauses, params = [], []
    for key, value in where.items():
        name, _, lookup = key.partition("__")
        field = _field(model, name)
        column = _quoted(field)
        if lookup == "in":
            values = list(value)
            if not values:
                return None, []
            clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(field.get_db_prep_value(v, db) for v in values)
        elif lookup:
            raise ValueError(f"only equality and __in filters are supported, not {key!r}")
        elif value is None:
            clauses.append(f"{column} IS NULL")
        else:
            clauses.append(f"{column} = %s")
            params.append(field.get_db_prep_value(value, db))
    return " AND ".join(clauses), params


# Names are quoted alike by both backends (double quotes); computed once per model.
@cache
def _table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _quoted(field: Field) -> str:
    return connection.ops.quote_name(field.column)


@cache
def _select_list(model: type[Model]) -> str:
    return ", ".join(_quoted(field) for field in model._meta.concrete_fields)


@cache
def _attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@cache
def _field(model: type[Model], name: str) -> Field:
    """A concrete field by its name or attname (``batch`` and ``batch_id`` are the same column)."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname) or (name == "pk" and field.primary_key):
            return field
    raise ValueError(f"{model.__name__} has no column {name!r}")


@cache
def _reference_to(model: type[Model], target: type[Model]) -> Field:
    """The one column of ``model`` that refers to ``target``'s primary key."""
    pointers = [field for field in model._meta.concrete_fields
                if field.is_relation and field.related_model is target and field.target_field.primary_key]
    if len(pointers) != 1:
        raise ValueError(f"{model.__name__} must refer to {target.__name__} by exactly one column")
    return pointers[0]


def _instance(db: BaseDatabaseWrapper, model: type[M], row: tuple[Any, ...]) -> M:
    """A fetched row of every concrete column, as the ORM builds an instance from it."""
    return model.from_db(db.alias, _attnames(model), _convert(db, row, _read_converters(db, model)))


def _read_converters(db: BaseDatabaseWrapper, model: type[Model]) -> list[tuple[Col, list[Any]]]:
    """What the ORM's compiler applies to each column it reads (SQLite's text UUIDs and
    datetimes, JSON...). Kept on this thread's connection: the backend's converters are
    methods of it."""
    per_model = db.__dict__.setdefault("_huleedu_read_converters", {})
    if model not in per_model:
        per_model[model] = []
        for field in model._meta.concrete_fields:
            column = field.get_col(model._meta.db_table)
            per_model[model].append((column, [*db.ops.get_db_converters(column),
                                              *column.get_db_converters(db)]))
    return per_model[model]


def _convert(
    db: BaseDatabaseWrapper, row: tuple[Any, ...], converters: list[tuple[Col, list[Any]]]
) -> list[Any]:
    values = list(row)
    for index, (column, column_converters) in enumerate(converters):
        for converter in column_converters:
            values[index] = converter(values[index], column, db)
    return values
