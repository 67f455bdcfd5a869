"""Validation errors per graphql-core rule, rewritten in Shopify's (graphql-ruby) wording and codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    print_ast,
)
from graphql.language import ArgumentNode, DocumentNode, FieldNode, SelectionSetNode, VariableDefinitionNode

from .errors import Ancestry, first_node, make_error

_LOCATION_WORDS = {
    "QUERY": "queries",
    "MUTATION": "mutations",
    "SUBSCRIPTION": "subscriptions",
    "FIELD": "fields",
    "FRAGMENT_DEFINITION": "fragment definitions",
    "FRAGMENT_SPREAD": "fragment spreads",
    "INLINE_FRAGMENT": "inline fragments",
    "VARIABLE_DEFINITION": "variable definitions",
}


def _group_missing_arguments(
    items: list[tuple[str, GraphQLError]], ancestry: Ancestry
) -> list[dict[str, Any]]:
    grouped: dict[int, tuple[GraphQLError, list[str]]] = {}
    for _, error in items:
        node = first_node(error)
        arg = re.search(r"\((\w+):\)", error.message)
        entry = grouped.setdefault(id(node), (error, []))
        if arg:
            entry[1].append(arg.group(1))
    out = []
    for error, args in grouped.values():
        node = first_node(error)
        is_directive = error.message.startswith("Argument '@")
        name = node.name.value if node is not None and hasattr(node, "name") else "?"
        kind = "Directive" if is_directive else "Field"
        message = f"{kind} '{name}' is missing required arguments: {', '.join(args)}"
        out.append(
            make_error(
                message,
                error,
                ancestry,
                code="missingRequiredArguments",
                className=kind,
                name=name,
                arguments=", ".join(args),
            )
        )
    return out


def translate_validation(
    schema: GraphQLSchema, document: DocumentNode, tagged: list[tuple[str, GraphQLError]]
) -> list[dict[str, Any]]:
    """Rewrite (rule name, graphql-core error) pairs in graphql-ruby's words."""
    ancestry = Ancestry(document)
    out: list[dict[str, Any]] = []
    missing = [item for item in tagged if item[0] == "ProvidedRequiredArgumentsRule"]
    for rule, error in tagged:
        if rule == "ProvidedRequiredArgumentsRule":
            continue
        handler = _HANDLERS.get(rule)
        translated = handler(schema, error, ancestry) if handler else None
        out.append(translated or make_error(error.message, error, ancestry))
    out.extend(_group_missing_arguments(missing, ancestry))
    return out


Handler = Callable[[GraphQLSchema, GraphQLError, Ancestry], dict[str, Any] | None]


def _fields_on_correct_type(
    _s: GraphQLSchema, error: GraphQLError, ancestry: Ancestry
) -> dict[str, Any] | None:
    match = re.search(r"Cannot query field '([^']+)' on type '([^']+)'", error.message)
    if not match:
        return None
    field, type_name = match.groups()
    message = f"Field '{field}' doesn't exist on type '{type_name}'"
    return make_error(message, error, ancestry, code="undefinedField", typeName=type_name, fieldName=field)


def _known_argument_names(
    _s: GraphQLSchema, error: GraphQLError, ancestry: Ancestry
) -> dict[str, Any] | None:
    match = re.search(
        r"Unknown argument '([^']+)' on (field|directive) '@?(?:[^'.]+\.)?([^']+)'", error.message
    )
    if not match:
        return None
    arg, kind, name = match.groups()
    type_name = "Field" if kind == "field" else "Directive"
    message = f"{type_name} '{name}' doesn't accept argument '{arg}'"
    return make_error(
        message, error, ancestry, code="argumentNotAccepted", name=name, typeName=type_name, argumentName=arg
    )


def _scalar_leafs(schema: GraphQLSchema, error: GraphQLError, ancestry: Ancestry) -> dict[str, Any] | None:
    node = first_node(error)
    match = re.search(r"Field '([^']+)' must not have a selection since type '([^']+)'", error.message)
    if match:
        field, type_str = match.groups()
        named = type_str.strip("[]!")
        kind = (
            "enums"
            if named in schema.type_map and isinstance(schema.type_map[named], GraphQLEnumType)
            else "scalars"
        )
        selections = []
        if isinstance(node, SelectionSetNode):
            selections = [s.name.value for s in node.selections if isinstance(s, FieldNode)]
        shown = ", ".join(selections)
        message = f"Selections can't be made on {kind} (field '{field}' returns {named} but has selections "
        message += f"[{shown}])"
        field_node = ancestry.parents.get(id(node)) if node is not None else None
        return make_error(
            message,
            error,
            ancestry,
            field_node,
            code="selectionMismatch",
            nodeName=f"field '{field}'",
            typeName=named,
        )
    match = re.search(r"Field '([^']+)' of type '([^']+)' must have a selection of subfields", error.message)
    if match:
        field, type_str = match.groups()
        message = (
            f"Field must have selections (field '{field}' returns {type_str} but has no selections. "
            f"Did you mean '{field} {{ ... }}'?)"
        )
        return make_error(
            message, error, ancestry, code="selectionMismatch", nodeName=f"field '{field}'", typeName=type_str
        )
    return None


def _known_directives(
    schema: GraphQLSchema, error: GraphQLError, ancestry: Ancestry
) -> dict[str, Any] | None:
    match = re.search(r"Unknown directive '@([^']+)'", error.message)
    if match:
        name = match.group(1)
        return make_error(
            f"Directive @{name} is not defined",
            error,
            ancestry,
            code="undefinedDirective",
            directiveName=name,
        )
    match = re.search(r"Directive '@([^']+)' may not be used on (\w+)", error.message)
    if match:
        name, location = match.groups()
        directive = schema.get_directive(name)
        allowed = (
            ", ".join(_LOCATION_WORDS.get(loc.name, loc.name.lower()) for loc in directive.locations)
            if directive
            else ""
        )
        target = _LOCATION_WORDS.get(location, location.lower())
        message = f"'@{name}' can't be applied to {target} (allowed: {allowed})"
        return make_error(
            message, error, ancestry, code="directiveCannotBeApplied", targetName=target, name=name
        )
    return None


def _argument_type(schema: GraphQLSchema, field: str, arg: str) -> str:
    """Declared type of a field argument (error path only, so a scan of the schema is fine)."""
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType) and field in type_.fields:
            definition = type_.fields[field].args.get(arg)
            if definition is not None:
                return str(definition.type)
    return "?"


def _values_of_correct_type(
    schema: GraphQLSchema, error: GraphQLError, ancestry: Ancestry
) -> dict[str, Any] | None:
    node = first_node(error)
    match = re.search(r"type '([^']+)' not to include unknown field '([^']+)'", error.message)
    if match:
        type_name, field = match.groups()
        message = f"InputObject '{type_name}' doesn't accept argument '{field}'"
        return make_error(
            message,
            error,
            ancestry,
            code="argumentNotAccepted",
            name=type_name,
            typeName="InputObject",
            argumentName=field,
        )
    match = re.search(r"type '([^']+)' to include required field '([^']+)'", error.message)
    if match:
        type_name, field = match.groups()
        input_type = schema.type_map.get(type_name)
        fields = getattr(input_type, "fields", {})
        type_str = str(fields[field].type) if field in fields else "?"
        message = f"Argument '{field}' on InputObject '{type_name}' is required. Expected type {type_str}"
        return make_error(
            message,
            error,
            ancestry,
            code="missingRequiredInputObjectAttribute",
            argumentName=field,
            argumentType=type_str,
            inputObjectType=type_name,
        )
    argument = ancestry.nearest(node, ArgumentNode)
    field_node = ancestry.nearest(argument, FieldNode) if argument is not None else None
    if not isinstance(argument, ArgumentNode) or not isinstance(field_node, FieldNode):
        return None
    name, arg = field_node.name.value, argument.name.value
    type_str = _argument_type(schema, name, arg)
    value = print_ast(argument.value)
    message = (
        f"Argument '{arg}' on Field '{name}' has an invalid value ({value}). Expected type '{type_str}'."
    )
    return make_error(
        message,
        error,
        ancestry,
        argument,
        code="argumentLiteralsIncompatible",
        typeName="Field",
        argumentName=arg,
    )


def _variables_in_allowed_position(
    _s: GraphQLSchema, error: GraphQLError, ancestry: Ancestry
) -> dict[str, Any] | None:
    match = re.search(
        r"Variable '\$([^']+)' of type '([^']+)' used in position expecting type '([^']+)'", error.message
    )
    if not match:
        return None
    var, given, expected = match.groups()
    use = error.nodes[-1] if error.nodes else None
    parent = ancestry.parents.get(id(use)) if use is not None else None
    arg = parent.name.value if parent is not None and hasattr(parent, "name") else "?"
    kind = "Nullability mismatch" if given.rstrip("!") == expected.rstrip("!") else "Type mismatch"
    message = f"{kind} on variable ${var} and argument {arg} ({given} / {expected})"
    return make_error(
        message,
        error,
        ancestry,
        code="variableMismatch",
        variableName=var,
        typeName=given,
        argumentName=arg,
        errorMessage=kind,
    )


def _simple(pattern: str, template: str, code: str, key: str | None = None) -> Handler:
    def handle(_s: GraphQLSchema, error: GraphQLError, ancestry: Ancestry) -> dict[str, Any] | None:
        match = re.search(pattern, error.message)
        if not match:
            return None
        groups = match.groups()
        ext: dict[str, Any] = {"code": code}
        if key:
            ext[key] = groups[0]
        return make_error(template.format(*groups), error, ancestry, **ext)

    return handle


def _known_type_names(_s: GraphQLSchema, error: GraphQLError, ancestry: Ancestry) -> dict[str, Any] | None:
    match = re.search(r"Unknown type '([^']+)'", error.message)
    if not match:
        return None
    name = match.group(1)
    definition = ancestry.nearest(first_node(error), VariableDefinitionNode)
    if isinstance(definition, VariableDefinitionNode):
        var = definition.variable.name.value
        message = f"{name} isn't a defined input type (on ${var})"
        return make_error(
            message, error, ancestry, code="variableRequiresValidType", typeName=name, variableName=var
        )
    message = f"No such type {name}, so it can't be a fragment condition"
    return make_error(message, error, ancestry, code="undefinedType", typeName=name)


def _undefined_variables(_s: GraphQLSchema, error: GraphQLError, ancestry: Ancestry) -> dict[str, Any] | None:
    match = re.search(
        r"Variable '\$([^']+)' is (not defined|never used)(?: (?:by|in) operation '([^']+)')?", error.message
    )
    if not match:
        return None
    var, what, op = match.groups()
    owner = op or "anonymous query"
    if what == "not defined":
        return make_error(
            f"Variable ${var} is used by {owner} but not declared",
            error,
            ancestry,
            code="variableNotDefined",
            variableName=var,
        )
    return make_error(
        f"Variable ${var} is declared by {owner} but not used",
        error,
        ancestry,
        code="variableNotUsed",
        variableName=var,
    )


_HANDLERS: dict[str, Handler] = {
    "FieldsOnCorrectTypeRule": _fields_on_correct_type,
    "KnownArgumentNamesRule": _known_argument_names,
    "ScalarLeafsRule": _scalar_leafs,
    "KnownDirectivesRule": _known_directives,
    "ValuesOfCorrectTypeRule": _values_of_correct_type,
    "VariablesInAllowedPositionRule": _variables_in_allowed_position,
    "KnownTypeNamesRule": _known_type_names,
    "NoUndefinedVariablesRule": _undefined_variables,
    "NoUnusedVariablesRule": _undefined_variables,
    "VariablesAreInputTypesRule": _simple(
        r"Variable '\$([^']+)' cannot be non-input type '([^']+)'",
        "{1} isn't a valid input type (on ${0})",
        "variableRequiresValidType",
        "variableName",
    ),
    "KnownFragmentNamesRule": _simple(
        r"Unknown fragment '([^']+)'",
        "Fragment {0} was used, but not defined",
        "useAndDefineFragment",
        "fragmentName",
    ),
    "NoUnusedFragmentsRule": _simple(
        r"Fragment '([^']+)' is never used",
        "Fragment {0} was defined, but not used",
        "useAndDefineFragment",
        "fragmentName",
    ),
    "UniqueOperationNamesRule": _simple(
        r"operation named '([^']+)'",
        'Operation name "{0}" must be unique',
        "operationNotUnique",
        "operationName",
    ),
    "LoneAnonymousOperationRule": _simple(
        r"(anonymous)",
        "Operation name is required when multiple operations are present",
        "anonymousOperationNotAlone",
    ),
    "UniqueArgumentNamesRule": _simple(
        r"argument named '([^']+)'", 'There can be only one argument named "{0}"', "argumentNotUnique", "name"
    ),
    "UniqueVariableNamesRule": _simple(
        r"variable named '\$([^']+)'",
        'There can only be one variable named "{0}"',
        "variableNotUnique",
        "variableName",
    ),
    "UniqueInputFieldNamesRule": _simple(
        r"input field named '([^']+)'",
        'There can be only one input field named "{0}"',
        "inputFieldNotUnique",
        "name",
    ),
    "UniqueDirectivesPerLocationRule": _simple(
        r"directive '@([^']+)'",
        'The directive "{0}" can only be used once at this location.',
        "directiveNotUniqueForLocation",
        "directiveName",
    ),
    "OverlappingFieldsCanBeMergedRule": _simple(
        r"Fields '([^']+)' conflict because (.*?)\. Use different",
        "Field '{0}' has a field conflict: {1}",
        "fieldConflict",
        "fieldName",
    ),
    "PossibleFragmentSpreadsRule": _simple(
        r"objects of type '([^']+)' can never be of type '([^']+)'",
        "Fragment on {1} can't be spread inside {0}",
        "fragmentSpreadTypeMismatch",
    ),
    "FragmentsOnCompositeTypesRule": _simple(
        r"non composite type '([^']+)'",
        "Invalid fragment on type {0} (must be Union, Interface or Object)",
        "fragmentOnNonCompositeType",
        "typeName",
    ),
    "NoFragmentCyclesRule": _simple(
        r"spread fragment '([^']+)' within itself",
        "Fragment {0} contains an infinite loop",
        "infiniteLoop",
        "fragmentName",
    ),
    "KnownOperationTypesRule": _simple(
        r"The (\w+) operation is not supported",
        "Schema is not configured for {0}s",
        "missingOperationConfiguration",
    ),
}
