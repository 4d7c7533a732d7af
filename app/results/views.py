"""Pages of results and certificates: the center's results roster (发布成绩, Excel export), the
certificate settings, the certificates issued (with revocation), a candidate's own results and
certificates, a printable certificate and its PDF, and the public verification page (no sign-in,
rate-limited). Views parse input, check the role and call one operation."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from app import assessment, timeutil, verify_limits
from app.auth.decorators import roles_required
from app.auth.roles import ADMINS
from app.boundary import fail, page_action
from app.eligibility.identity import photo_path
from app.errors import DomainError, Invalid, NotFound
from app.exams import score_visibility
from app.extensions import db
from app.qrcodes import certificate_qr
from app.sessions import staffing_exceptions
from app.sessions.models import SessionStatus
from app.sessions.planning import get_session, list_sessions
from app.standards.registry import get_standard
from scoring.display import percent_text, points_text, score_text, signed_score_text

from . import certificates as cert_ops
from . import operations as ops
from .excel import roster_workbook
from .render import certificate_pdf, facts

bp = Blueprint("results", __name__, url_prefix="/results")


@bp.app_template_filter("score")
def score(value) -> str:
    """A score on any page: two decimals, cut toward zero (59.995 → 59.99, never 60.00; issue 27 item 11).
    The stored value stays unrounded and the pass rule reads that."""
    return score_text(value)


@bp.app_template_filter("points")
def points(value) -> str:
    """Points as entered (a rating leaf, a spread, hours): at most two decimals, cut, no trailing zeros."""
    return points_text(value)


@bp.app_template_filter("signed_score")
def signed_score(value) -> str:
    """A difference of scores with its sign (an expert's severity), cut by the same rule."""
    return signed_score_text(value)


@bp.app_template_filter("percent")
def percent(value, trim: bool = False) -> str:
    """A rate as a percentage, two decimals cut (84.615…% → 84.61%); ``trim`` for a configured target."""
    return percent_text(value, trim=trim)


def verify_url(number: str) -> str:
    return url_for("results.verify_number", no=number, _external=True)


def qr_text(cert) -> str:
    """What the certificate's QR code carries (contract v1.2): the verification URL and, in its fragment
    (never sent to the server), the signed credential, so a phone can check it offline."""
    return f"{verify_url(cert.number)}#jws={cert_ops.credential(cert, timeutil.utcnow())}"


@bp.get("/")
@roles_required(*ADMINS)
def index():
    return render_template("results/index.html", sessions=list_sessions(current_user))


@bp.get("/sessions/<int:session_id>")
@roles_required(*ADMINS)
def session_results(session_id: int):
    session = get_session(session_id, current_user)
    published = session.status == SessionStatus.published
    missing = []
    if published:
        rows = ops.roster(session)
    else:
        scores = assessment.final_scores(session)
        rows, missing = ops.live_rows(session, scores), ops.missing_components(session, scores)
    return render_template(
        "results/session.html",
        s=session,
        standard=get_standard(session.standard_id),
        components=assessment.session_components(session),
        rows=rows,
        missing=missing,
        published=published,
        status_labels={s.value: s.label for s in assessment.Status},
        staffing_problems=[] if published else staffing_exceptions.staffing_problems(session),
        exceptions=staffing_exceptions.exceptions_of(session),
        step_labels=staffing_exceptions.STEP_LABELS,
    )


@bp.post("/sessions/<int:session_id>/publish")
@roles_required("center_admin")
def publish(session_id: int):
    session = get_session(session_id, current_user)
    return page_action(
        lambda: ops.publish_from_page(session, current_user, request.form.get("reason")),
        url_for("results.session_results", session_id=session_id),
        published_message,
        failure="未能发布：",
    )


def published_message(results) -> str:
    passed = [r for r in results if r.passed]
    held = sum(1 for r in passed if r.held_certificate_no)
    text = f"成绩已发布：{len(results)} 名考生，{len(passed)} 人合格，{len(passed) - held} 人获发证书"
    return text + (f"；{held} 人已持有同等级有效证书，未重复发证" if held else "")


@bp.get("/sessions/<int:session_id>/export.xlsx")
@roles_required(*ADMINS)
def export(session_id: int):
    session = get_session(session_id, current_user)
    content = roster_workbook(session, ops.roster(session), staffing_exceptions.exceptions_of(session))
    return send_file(
        io.BytesIO(content),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"成绩-{session.id}.xlsx",
    )


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("center_admin")
def settings():
    center = current_user.center
    if center is None:
        raise NotFound("当前用户不属于任何机构")
    error, values = None, None
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in cert_ops.SETTINGS_FIELDS}
        try:
            cert_ops.save_settings(center, values)
        except Invalid as exc:
            db.session.rollback()
            error = exc
        else:
            flash("证书编码设置已保存", "success")
            return redirect(url_for("results.settings"))
    current = cert_ops.settings_of(center)
    values = values or {key: getattr(current, key) for key in cert_ops.SETTINGS_FIELDS}
    year = timeutil.utcnow().astimezone(timeutil.CHINA).year
    samples = cert_ops.sample_numbers(current, year) if error is None else []
    return render_template(
        "results/settings.html",
        center=center,
        values=values,
        labels=cert_ops.SETTINGS_FIELDS,
        saved=cert_ops.has_settings(center),
        error=error,
        samples=samples,
        release=score_visibility.release_of(center.id),
        release_labels=score_visibility.RELEASE_LABELS,
    ), (422 if error else 200)


@bp.post("/settings/scores")
@roles_required("center_admin")
def score_settings():
    """When the center's candidates see their theory score: at once, or after publication (one rule)."""
    center = current_user.center
    if center is None:
        raise NotFound("当前用户不属于任何机构")
    return page_action(
        lambda: score_visibility.save_release(center, request.form.get("theory_release")),
        url_for("results.settings"),
        lambda release: f"已保存：{score_visibility.RELEASE_LABELS[release]}",
        failure="未能保存：",
    )


@bp.get("/certificates")
@roles_required(*ADMINS)
def certificates():
    return render_template("results/certificates.html", certificates=cert_ops.certificates_of_center(current_user))


@bp.get("/mine")
@roles_required("candidate")
def mine():
    return render_template(
        "results/mine.html",
        results=ops.results_of_user(current_user),
        labels=assessment.labels(),
        standards=get_standard,
    )


@bp.get("/certificates/<no>")
@login_required
def certificate(no: str):
    return _certificate_page(cert_ops.visible_certificate(no, current_user))


def _certificate_page(cert, revoke_error: str | None = None, typed_reason: str = "", status: int = 200):
    url = verify_url(cert.number)
    text = qr_text(cert)
    return render_template(
        "results/certificate.html",
        c=cert,
        facts=facts(cert),
        qr=certificate_qr(text),
        qr_text=text,
        url=url,
        manage=cert_ops.can_manage(current_user, cert),
        revoke_error=revoke_error,
        typed_reason=typed_reason,
        reason_max=cert_ops.REVOKE_REASON_MAX,
    ), status


@bp.get("/certificates/<no>.pdf")
@login_required
def certificate_file(no: str):
    cert = cert_ops.visible_certificate(no, current_user)
    try:
        photo = photo_path(cert.photo)
    except NotFound:
        photo = None
    content = certificate_pdf(cert, verify_url(cert.number), photo, qr_text(cert))
    return send_file(io.BytesIO(content), mimetype="application/pdf", download_name=f"证书-{cert.number}.pdf")


@bp.get("/certificates/<no>/photo")
@login_required
def certificate_photo(no: str):
    cert = cert_ops.visible_certificate(no, current_user)
    response = send_file(photo_path(cert.photo), mimetype="image/jpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/certificates/<no>/revoke")
@roles_required(*ADMINS)
def revoke(no: str):
    """The reason is checked before anything else (issue 27 item 14): a missing one is shown at its
    field (422, the typed text kept, nothing changed); other refusals are flashed as before."""
    reason = request.form.get("reason", "")
    try:
        cert_ops.revoke(no, current_user, reason)
    except Invalid as exc:
        db.session.rollback()
        return _certificate_page(cert_ops.visible_certificate(no, current_user), exc.message, reason, 422)
    except NotFound:
        raise  # another center's certificate: 404, as on every page
    except DomainError as exc:
        fail(exc, "未能撤销：")  # rolls back
    else:
        flash("证书已撤销", "success")
    return redirect(url_for("results.certificate", no=no))


# ---------------------------------------------------------------- public verification (no sign-in)


@bp.get("/verify")
def verify():
    number = (request.args.get("no") or "").strip()
    if number:
        return redirect(url_for("results.verify_number", no=number, name=request.args.get("name") or None))
    return render_template("results/verify.html", body=None, number="", name="")


@bp.get("/verify/<no>")
@verify_limits.verification
@verify_limits.name_check
def verify_number(no: str):
    name = (request.args.get("name") or "").strip() or None
    try:
        body = cert_ops.verification(cert_ops.find(no), name)
    except NotFound:
        return render_template("results/verify.html", body=None, number=no, name=name or "", unknown=True), 404
    return render_template("results/verify.html", body=body, number=no, name=name or "", unknown=False)
