"""Stored files beyond originals: switching stores copies units' reports and dossiers' files
too, and a sweep removes files no record owns (an upload killed before its commit) but never a
file still owned or one being uploaded."""
import io
import os
import time

from portal.domain.files import moves as file_moves
from portal.domain.files.database import DatabaseStorage, StoredFile
from portal.domain.files.storage import FolderStorage
from portal.domain.units.dossiers import Dossier
from portal.domain.units.reports import UnitReport
from portal.extensions import db
from portal.services import storage
from tests.web.admin.conftest import as_role, users  # noqa: F401 (fixtures)
from tests.web.test_dossiers import dossier_app, prepared_dossier  # noqa: F401 (fixtures)
from tests.web.test_unit_reports import PDF, _submit, _unit
from tests.web.test_units import UNIT_EMAIL


def _age(store, name: str, when: float) -> None:
    """Make a stored file look stored at `when`, in either kind of store."""
    if isinstance(store, DatabaseStorage):
        from datetime import UTC, datetime
        db.session.execute(db.update(StoredFile).where(StoredFile.name == name)
                           .values(created_at=datetime.fromtimestamp(when, UTC)))
        db.session.commit()
    else:
        os.utime(store.path(name), (when, when))


def test_switching_stores_copies_reports_and_dossier_files(dossier_app):  # noqa: F811
    app, rounds = dossier_app
    unit = _unit(app, UNIT_EMAIL)
    prepared_dossier(unit, rounds["so-ket-2022"])
    assert _submit(unit, rounds["so-ket-2022"], {}).status_code == 302
    with app.app_context():
        names = {f.stored_name for f in db.session.scalars(db.select(Dossier)).one().files}
        names.add(db.session.scalars(db.select(UnitReport)).one().stored_name)
        # To the other kind of store than the one the run uses (the PostgreSQL pass keeps files in
        # the database).
        source = storage()
        target = (FolderStorage(app.config["UPLOAD_DIR"] + "-copy", 10 << 20) if isinstance(source, DatabaseStorage)
                  else DatabaseStorage(10 << 20))
        report = file_moves.copy_all(source, target)
        assert report.missing == [] and report.copied == 5 == report.verified  # 3 files, the list, the report
        assert all(target.exists(name) for name in names)
        assert file_moves.copy_all(source, target).present == 5  # idempotent


def test_a_sweep_removes_only_old_files_nobody_owns(dossier_app):  # noqa: F811
    app, rounds = dossier_app
    unit = _unit(app, UNIT_EMAIL)
    prepared_dossier(unit, rounds["so-ket-2022"])
    with app.app_context():
        store = storage()
        orphan = store.save(io.BytesIO(PDF), "bi-bo-lai.pdf").stored_name  # stored, then the process died
        young = store.save(io.BytesIO(PDF), "dang-tai.pdf").stored_name  # an upload in progress
        day_ago = time.time() - 25 * 3600
        for name in [orphan] + [f.stored_name for f in db.session.scalars(db.select(Dossier)).one().files]:
            _age(store, name, day_ago)
        assert file_moves.sweep(store) == [orphan]
        assert not store.exists(orphan) and store.exists(young)
        assert all(store.exists(f.stored_name) for f in db.session.scalars(db.select(Dossier)).one().files)


def test_every_model_that_owns_a_file_is_known_to_moves_and_sweeps(app):
    """A kind of file the sweep did not know would be deleted as an orphan after a day."""
    with app.app_context():
        assert [model.__name__ for model in file_moves.owners()] == ["Attachment", "DossierFile", "UnitReport"]
