"""Every GraphQL example in the README must be valid against the schema the code exports."""

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from config.schema import schema

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_operations() -> list[str]:
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(), re.S)
    return [op for block in blocks for op in re.split(r"\n(?=(?:mutation|query|\{))", block.strip())]


@pytest.mark.parametrize("operation", readme_operations(), ids=lambda op: op.split("(")[0][:40])
def test_readme_example_is_valid(operation):
    assert validate(schema.graphql_schema, parse(operation)) == []


def test_readme_has_the_seed_examples():
    operations = readme_operations()

    assert any('payments: {method: "cash", amount: "20.00", balance: "0.00"}' in op for op in operations)
    assert any("customerDebtIncurred { value count }" in op for op in operations)
