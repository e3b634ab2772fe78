import pytest


@pytest.fixture
def write_csv(tmp_path):
    """Write a division file: the standard header (unless ``header`` is given) and ``lines``."""

    def write(lines: list[str], *, header: str | None = "code,name,level,parent_code", name: str = "d.csv"):
        path = tmp_path / name
        path.write_text("".join(f"{line}\n" for line in ([header] if header is not None else []) + lines), "utf-8")
        return path

    return write
