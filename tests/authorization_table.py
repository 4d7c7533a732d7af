"""Who may do what: one entry per (endpoint, method) of ``app.url_map`` (static files excepted).

tests/test_authorization_matrix.py calls every entry as each identity below, against one world whose
path parameters all name real records of center A (tests/authorization_world.py), and checks:
- an identity listed here gets through (not 401/403/404, never 5xx; 400/409/422 from the empty body
  mean the check passed);
- anyone else is refused: anonymous with 401 (API) or the sign-in page (pages); a candidate who does not
  own the record, or the admin of another center, with 404 where the owner / center A's admin is
  allowed (existence must not leak); any other identity with 403 or 404;
- a refused call changes no row of any table.
A route without an entry, or an entry naming no route, fails the test: add the entry with the route.
"""

from __future__ import annotations

ANON = "anonymous"
CAND = "candidate"  # the candidate who owns the attempt, application, certificate, files (center A)
OTHER = "other_candidate"  # a candidate of center A who owns none of them
GRADER = "grader"  # center A, on the session's grading panel
PROCTOR = "proctor"  # center A, proctoring the session's theory room
REVIEWER = "reviewer"  # center A, not on the session
ADMIN_A = "center_admin"  # center A: owns every record named
ADMIN_B = "other_center_admin"  # center B
ADMIN = "admin"  # the platform's
EXPERT = "expert"  # 评估专家 on the demo rating round (no center)

IDENTITIES = (ANON, CAND, OTHER, GRADER, PROCTOR, REVIEWER, ADMIN_A, ADMIN_B, ADMIN, EXPERT)
PUBLIC = frozenset(IDENTITIES)
SIGNED_IN = PUBLIC - {ANON}
CANDIDATES = frozenset({CAND, OTHER})
STAFF = frozenset({GRADER, PROCTOR, REVIEWER, ADMIN_A, ADMIN_B, ADMIN})
MANAGERS = frozenset({ADMIN_A, ADMIN_B, ADMIN})  # by role; records stay with their center
CENTER_A = frozenset({ADMIN_A, ADMIN})  # center A's records: its admin and the platform's
CENTER_ADMINS = frozenset({ADMIN_A, ADMIN_B})  # settings of one's own center (the platform has none)
# continuing-education claimants: staff of a center and certificate holders (cand03 holds one)
CE_CLAIMANTS = frozenset({CAND, GRADER, PROCTOR, REVIEWER, ADMIN_A, ADMIN_B})


def panel(*others: str) -> dict[str, frozenset]:
    """Routes of either component (操作技能考核 / 综合评审): that component's panel on the session."""
    return {"practical": frozenset({GRADER, *others}), "review": frozenset({REVIEWER, *others})}


def per_component(allowed: frozenset) -> dict[str, frozenset]:
    return {"practical": allowed, "review": allowed}


TABLE: dict[tuple[str, str], frozenset | dict[str, frozenset]] = {
    # ---- public: health, sign-in, certificate verification (contract: no auth)
    ("main.healthz", "GET"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("api.create_token", "POST"): PUBLIC,
    ("api.verify_certificate", "GET"): PUBLIC,
    ("results.verify", "GET"): PUBLIC,
    ("results.verify_number", "GET"): PUBLIC,
    # ---- anyone signed in
    ("main.index", "GET"): SIGNED_IN,
    ("auth.logout", "POST"): SIGNED_IN,
    ("api.delete_token", "DELETE"): SIGNED_IN,
    ("api.check_eligibility", "POST"): SIGNED_IN,
    ("api.list_standards", "GET"): SIGNED_IN,
    ("api.show_standard", "GET"): SIGNED_IN,
    ("standards.index", "GET"): SIGNED_IN,
    ("standards.detail", "GET"): SIGNED_IN,
    ("standards.weights_png", "GET"): SIGNED_IN,
    # ---- applications (申报): the candidate's own; decided by the center's admin or the platform's
    ("api.create_application", "POST"): CANDIDATES,
    ("api.list_applications", "GET"): CANDIDATES | MANAGERS,  # each sees their own / their center's
    ("api.get_application", "GET"): {CAND} | CENTER_A,
    ("api.approve_application", "POST"): CENTER_A,
    ("api.reject_application", "POST"): CENTER_A,
    ("api.withdraw_application", "POST"): {CAND},
    ("eligibility.profile", "GET"): CANDIDATES,
    ("eligibility.profile", "POST"): CANDIDATES,
    ("eligibility.check", "GET"): CANDIDATES,
    ("eligibility.apply", "POST"): CANDIDATES,
    ("eligibility.save_identity", "POST"): CANDIDATES,
    ("eligibility.my_photo", "GET"): CANDIDATES,
    ("eligibility.upload_photo", "POST"): CANDIDATES,
    ("eligibility.upload_evidence", "POST"): CANDIDATES,
    ("eligibility.my_applications", "GET"): CANDIDATES,
    ("eligibility.application_detail", "GET"): {CAND} | CENTER_A,
    ("eligibility.withdraw", "POST"): {CAND},
    ("eligibility.evidence_file", "GET"): {CAND} | CENTER_A,  # cited in an application center A decides
    ("eligibility.delete_evidence", "POST"): {CAND},
    # ---- uploads (app/uploads.py): anyone signed in uploads their own; a file is its owner's
    ("api.create_upload", "POST"): SIGNED_IN,
    ("api.list_uploads", "GET"): SIGNED_IN,
    ("api.download_upload", "GET"): {CAND} | CENTER_A,
    ("eligibility.review_queue", "GET"): MANAGERS,
    ("eligibility.decide", "POST"): CENTER_A,
    # ---- question banks (题库): centers read the platform's bank and write their own items (issue 11, 2.)
    ("api.list_bank_items", "GET"): MANAGERS,
    ("api.import_bank_items", "POST"): MANAGERS,
    ("banks.items", "GET"): MANAGERS,
    ("banks.export_json", "GET"): MANAGERS,
    ("banks.export_xlsx", "GET"): MANAGERS,
    ("banks.template", "GET"): MANAGERS,
    ("banks.import_excel", "GET"): MANAGERS,
    ("banks.import_excel", "POST"): MANAGERS,
    ("banks.edit", "GET"): CENTER_A,  # center A's own item
    ("banks.edit", "POST"): CENTER_A,
    ("banks.preview", "GET"): CENTER_A,
    ("banks.retire", "POST"): CENTER_A,
    # ---- banks as QTI 2.1 packages (issue 26, 4.): like the bank's JSON and Excel routes
    ("api.export_bank_qti", "GET"): MANAGERS,
    ("api.import_bank_qti", "POST"): MANAGERS,
    ("banks.export_qti", "GET"): MANAGERS,
    ("banks.import_qti", "GET"): MANAGERS,
    ("banks.import_qti", "POST"): MANAGERS,
    # ---- papers (组卷): center A's papers
    ("api.assemble_papers", "POST"): MANAGERS,
    ("api.get_paper", "GET"): CENTER_A,
    ("papers.index", "GET"): MANAGERS,
    ("papers.index", "POST"): MANAGERS,
    ("papers.view", "GET"): CENTER_A,
    ("papers.histogram", "GET"): CENTER_A,
    ("papers.print_paper", "GET"): CENTER_A,
    # ---- sessions (考试批次): center A's session, managed by its admin (and the platform's)
    ("api.create_session", "POST"): MANAGERS,
    ("api.list_sessions", "GET"): MANAGERS,
    ("api.get_session", "GET"): CENTER_A,
    ("api.add_room", "POST"): CENTER_A,
    ("api.add_staff", "POST"): CENTER_A,
    ("api.add_candidate", "POST"): CENTER_A,
    ("api.assign_papers", "POST"): CENTER_A,
    ("api.readiness", "GET"): CENTER_A,
    ("api.advance", "POST"): CENTER_A,
    ("api.publish_session", "POST"): {ADMIN_A},  # contract: POST /sessions/<id>/publish (center_admin)
    ("api.session_results", "GET"): CENTER_A,
    ("sessions.index", "GET"): MANAGERS,
    ("sessions.new", "GET"): MANAGERS,
    ("sessions.new", "POST"): MANAGERS,
    ("sessions.detail", "GET"): CENTER_A,
    ("sessions.edit", "GET"): CENTER_A,
    ("sessions.edit", "POST"): CENTER_A,
    ("sessions.add_room", "POST"): CENTER_A,
    ("sessions.add_staff", "POST"): CENTER_A,
    ("sessions.remove_staff", "POST"): CENTER_A,
    ("sessions.add_candidate", "POST"): CENTER_A,
    ("sessions.remove_candidate", "POST"): CENTER_A,
    ("sessions.import_roster", "POST"): CENTER_A,
    ("sessions.assign_papers", "POST"): CENTER_A,
    ("sessions.advance", "POST"): CENTER_A,
    ("sessions.tickets", "GET"): CENTER_A,
    ("auth.staff", "GET"): MANAGERS,
    # ---- accounts: registration, passwords, staff accounts (the world's user_id is cand03 of center A)
    ("auth.register", "GET"): PUBLIC,  # a signed-in user is sent to the home page
    ("auth.register", "POST"): PUBLIC,
    ("auth.reset_password", "GET"): PUBLIC,
    ("auth.reset_password", "POST"): PUBLIC,
    ("auth.change_password", "GET"): SIGNED_IN,
    ("auth.change_password", "POST"): SIGNED_IN,
    ("auth.create_staff", "POST"): MANAGERS,
    ("auth.import_candidates", "POST"): MANAGERS,
    ("auth.staff_settings", "POST"): CENTER_ADMINS,  # a center's own setting (the platform has none)
    ("auth.deactivate_user", "POST"): CENTER_A,
    ("auth.activate_user", "POST"): CENTER_A,  # cand03 is active: 302 with the reason flashed
    ("auth.issue_reset_code", "POST"): CENTER_A,
    ("auth.registrations", "GET"): MANAGERS,
    ("auth.approve_registration", "POST"): CENTER_A,  # cand03 is not pending: 302 with the reason flashed
    ("auth.reject_registration", "POST"): CENTER_A,
    ("api.register_account", "POST"): PUBLIC,
    ("api.change_password", "POST"): SIGNED_IN,
    ("api.reset_password", "POST"): PUBLIC,
    ("api.create_account", "POST"): MANAGERS,
    ("api.issue_reset_code", "POST"): CENTER_A,  # the world's username: cand03 of center A
    ("api.deactivate_account", "POST"): CENTER_A,
    ("api.activate_account", "POST"): CENTER_A,  # cand03 is active: 409
    # ---- machine exam (机考): the enrolled candidate's own attempt; the room's proctor
    ("api.start_attempt", "POST"): {CAND},
    ("api.get_attempt", "GET"): {CAND},
    ("api.save_answer", "PUT"): {CAND},
    ("api.submit", "POST"): {CAND},
    ("api.room_status", "GET"): {PROCTOR} | CENTER_A,
    ("api.grant_extension", "POST"): {PROCTOR} | CENTER_A,
    ("api.force_close", "POST"): {PROCTOR} | CENTER_A,
    ("api.record_incident", "POST"): {PROCTOR} | CENTER_A,
    ("exams.my_exams", "GET"): CANDIDATES,
    ("exams.take", "GET"): {CAND},
    ("exams.ticket", "GET"): {CAND},
    ("exams.proctor_rooms", "GET"): {PROCTOR} | MANAGERS,
    ("exams.room", "GET"): {PROCTOR} | CENTER_A,
    ("exams.act", "POST"): {PROCTOR} | CENTER_A,
    # ---- practical assessment and review (操作技能考核 / 综合评审): the panel scores, the center finalizes
    ("api.get_sheet", "GET"): panel(ADMIN_A, ADMIN),
    ("api.roster", "GET"): panel(ADMIN_A, ADMIN),
    ("api.candidate_sheets", "GET"): panel(ADMIN_A, ADMIN),
    ("api.save_sheet", "PUT"): panel(),  # only a member of the panel scores
    ("api.finalize", "POST"): per_component(CENTER_A),
    ("api.finalize_panel", "POST"): per_component(CENTER_A),
    ("api.mark", "POST"): per_component(CENTER_A),
    ("api.record", "GET"): per_component(CENTER_A),
    ("api.agreement", "GET"): per_component(CENTER_A),
    ("api.set_split", "PUT"): CENTER_A,
    ("api.review_deadline", "PUT"): CENTER_A,
    ("api.list_materials", "GET"): {CAND, REVIEWER} | CENTER_A,
    ("api.upload_material", "POST"): {CAND},
    ("api.scoring_settings", "PUT"): CENTER_ADMINS,
    ("practical.my_sheets", "GET"): {GRADER, REVIEWER},
    ("practical.roster", "GET"): panel(),
    ("practical.entry", "GET"): panel(),
    ("practical.entry", "POST"): panel(),
    ("practical.print_sheets", "GET"): panel(ADMIN_A, ADMIN),
    ("practical.manage", "GET"): per_component(CENTER_A),
    ("practical.record", "GET"): per_component(CENTER_A),
    ("practical.agreement_chart", "GET"): per_component(CENTER_A),
    ("practical.finalize", "POST"): per_component(CENTER_A),
    ("practical.finalize_panel", "POST"): per_component(CENTER_A),
    ("practical.mark", "POST"): per_component(CENTER_A),
    ("practical.split", "POST"): CENTER_A,
    ("practical.deadline", "POST"): CENTER_A,
    ("practical.threshold", "POST"): CENTER_ADMINS,
    ("practical.materials", "GET"): {CAND},
    ("practical.materials", "POST"): {CAND},
    ("practical.delete_material", "POST"): {CAND},
    ("practical.material_file", "GET"): {CAND, REVIEWER} | CENTER_A,
    # ---- results and certificates (成绩与证书)
    ("api.revoke_certificate", "POST"): CENTER_A,  # the issuing center's admin, or the platform's
    ("results.index", "GET"): MANAGERS,
    ("results.session_results", "GET"): CENTER_A,
    ("results.export", "GET"): CENTER_A,
    ("results.publish", "POST"): {ADMIN_A},
    ("results.certificates", "GET"): MANAGERS,
    ("results.certificate", "GET"): {CAND} | CENTER_A,
    ("results.certificate_file", "GET"): {CAND} | CENTER_A,
    ("results.certificate_photo", "GET"): {CAND} | CENTER_A,
    ("results.revoke", "POST"): CENTER_A,
    ("results.mine", "GET"): CANDIDATES,
    ("results.settings", "GET"): CENTER_ADMINS,
    ("results.settings", "POST"): CENTER_ADMINS,
    # ---- statistics (试卷与试题分析)
    ("api.dashboard", "GET"): MANAGERS,
    ("api.session_statistics", "GET"): CENTER_A,
    ("api.writebacks", "GET"): CENTER_A,
    ("api.write_back_all", "POST"): CENTER_A,  # writes back center A's own items only
    ("api.write_back_item", "POST"): {ADMIN},  # an item of the platform's bank: its admin only
    ("statistics.dashboard", "GET"): MANAGERS,
    ("statistics.trend_png", "GET"): MANAGERS,
    ("statistics.session", "GET"): CENTER_A,
    ("statistics.items_png", "GET"): CENTER_A,
    ("statistics.scores_png", "GET"): CENTER_A,
    ("statistics.write_back_all", "POST"): CENTER_A,
    ("statistics.write_back_item", "POST"): {ADMIN},
    # ---- audit log (issue 11 item 10): read only; each center admin reads their own center's entries
    ("audit.index", "GET"): MANAGERS,
    ("audit.export_csv", "GET"): MANAGERS,
    ("api.list_audit_entries", "GET"): MANAGERS,
    ("api.get_audit_entry", "GET"): CENTER_A,  # an entry of center A: 404 for center B's admin
    # ---- satisfaction surveys (满意度测评, T/SSOF 0001-2024 §7): the world's survey is center A's open survey
    # of a session the candidate sits (cand03 invited, cand09 not: 404 for anyone not invited)
    ("api.create_survey", "POST"): CENTER_ADMINS,  # contract: center_admin
    ("api.list_surveys", "GET"): MANAGERS,
    ("api.my_surveys", "GET"): SIGNED_IN,
    ("api.get_survey", "GET"): {CAND} | CENTER_A,  # the questions: an invited person, the center's admins
    ("api.respond_to_survey", "POST"): {CAND},
    ("api.close_survey", "POST"): CENTER_A,
    ("api.survey_report", "GET"): CENTER_A,
    ("api.list_survey_improvements", "GET"): CENTER_A,
    ("api.add_survey_improvement", "POST"): CENTER_A,
    ("api.survey_comparison", "GET"): MANAGERS,
    ("api.list_survey_templates", "GET"): CENTER_ADMINS,
    ("api.save_survey_template", "POST"): CENTER_ADMINS,
    ("api.survey_settings", "GET"): CENTER_ADMINS,
    ("api.save_survey_settings", "PUT"): CENTER_ADMINS,
    ("surveys.index", "GET"): MANAGERS,
    ("surveys.new", "GET"): CENTER_ADMINS,
    ("surveys.new", "POST"): CENTER_ADMINS,
    ("surveys.report", "GET"): CENTER_A,
    ("surveys.chart_png", "GET"): CENTER_A,
    ("surveys.export", "GET"): CENTER_A,
    ("surveys.close", "POST"): CENTER_A,
    ("surveys.add_improvement", "POST"): CENTER_A,
    ("surveys.save_as_template", "POST"): {ADMIN_A},  # a center's template: its admin only
    ("surveys.templates", "GET"): CENTER_ADMINS,
    ("surveys.save_template", "POST"): CENTER_ADMINS,
    ("surveys.comparison", "GET"): MANAGERS,
    ("surveys.comparison_chart", "GET"): MANAGERS,
    ("surveys.settings", "GET"): CENTER_ADMINS,
    ("surveys.settings", "POST"): CENTER_ADMINS,
    ("surveys.mine", "GET"): SIGNED_IN,
    ("surveys.answer", "GET"): {CAND},
    ("surveys.answer", "POST"): {CAND},
    # ---- organization rating (社会组织等级评估): the platform admin runs rounds; a center admin its own
    # organization's self-assessment and appeal; the round's experts score; certificates are public
    ("rating.index", "GET"): MANAGERS | {EXPERT},
    ("rating.create_round", "POST"): {ADMIN},
    ("rating.round_page", "GET"): {ADMIN, EXPERT},
    ("rating.enroll", "POST"): {ADMIN},
    ("rating.grades", "POST"): {ADMIN},
    ("rating.publish", "POST"): {ADMIN},
    ("rating.announce", "POST"): {ADMIN},
    ("rating.organization", "GET"): CENTER_A | {EXPERT},
    ("rating.save_self", "POST"): {ADMIN_A},
    ("rating.submit_self", "POST"): {ADMIN_A},
    ("rating.upload", "POST"): {ADMIN_A},
    ("rating.save_expert", "POST"): {EXPERT},
    ("rating.finalize", "POST"): {ADMIN},
    ("rating.appeal", "POST"): {ADMIN_A},
    ("rating.decide", "POST"): {ADMIN},
    ("rating.report_pdf", "GET"): CENTER_A,
    ("rating.checklist_page", "GET"): CENTER_ADMINS,  # each their own center's answers
    ("rating.checklist_save", "POST"): CENTER_ADMINS,
    ("rating.certificate", "GET"): PUBLIC,
    ("api.list_rating_frameworks", "GET"): SIGNED_IN,
    ("api.show_rating_framework", "GET"): SIGNED_IN,
    ("api.create_rating_round", "POST"): {ADMIN},
    ("api.list_rating_rounds", "GET"): MANAGERS | {EXPERT},  # each sees the rounds they take part in
    ("api.show_rating_round", "GET"): {ADMIN, EXPERT},
    ("api.set_rating_grades", "PUT"): {ADMIN},
    ("api.enroll_rating_organization", "POST"): {ADMIN},
    ("api.show_rating_organization", "GET"): CENTER_A | {EXPERT},
    ("api.save_rating_self_score", "PUT"): {ADMIN_A},
    ("api.submit_rating_self_assessment", "POST"): {ADMIN_A},
    ("api.rating_platform_evidence", "GET"): CENTER_A | {EXPERT},
    ("api.save_rating_expert_score", "PUT"): {EXPERT},
    ("api.finalize_rating_organization", "POST"): {ADMIN},
    ("api.rating_agreement", "GET"): {ADMIN},
    ("api.publish_rating_round", "POST"): {ADMIN},
    ("api.lodge_rating_appeal", "POST"): {ADMIN_A},
    ("api.decide_rating_appeal", "POST"): {ADMIN},
    ("api.announce_rating_round", "POST"): {ADMIN},
    ("api.verify_rating_certificate", "GET"): PUBLIC,
    ("api.show_rating_checklist", "GET"): CENTER_A,
    ("api.save_rating_checklist_answer", "PUT"): {ADMIN_A},
    # ---- training / continuing education / talent
    ("api.put_qualifications", "PUT"): CENTER_A,  # the user's center's admin, the platform admin
    ("api.get_qualifications", "GET"): CENTER_A,
    ("api.create_training", "POST"): CENTER_ADMINS,
    ("api.list_trainings", "GET"): MANAGERS,
    ("api.get_training", "GET"): CENTER_A,
    ("api.add_trainee", "POST"): CENTER_A,
    ("api.add_class", "POST"): CENTER_A,
    ("api.save_attendance", "PUT"): {GRADER} | CENTER_A,  # grader1 teaches the running training
    ("api.complete_training", "POST"): CENTER_A,
    ("api.verify_completion", "GET"): PUBLIC,
    ("api.get_ce_requirement", "GET"): CENTER_A,
    ("api.put_ce_requirement", "PUT"): CENTER_A,
    ("api.create_ce_record", "POST"): CE_CLAIMANTS,
    ("api.list_ce_records", "GET"): SIGNED_IN,
    ("api.get_ce_record", "GET"): {GRADER} | CENTER_A,  # grader1's claim
    ("api.approve_ce_record", "POST"): CENTER_A,
    ("api.reject_ce_record", "POST"): CENTER_A,
    ("api.ce_summary", "GET"): SIGNED_IN,
    ("api.talent_registry", "GET"): MANAGERS,
    ("api.talent_export", "GET"): MANAGERS,
    ("training.index", "GET"): MANAGERS,
    ("training.create", "POST"): CENTER_ADMINS,
    ("training.detail", "GET"): CENTER_A,
    ("training.add_trainee", "POST"): CENTER_A,
    ("training.add_class", "POST"): CENTER_A,
    ("training.complete", "POST"): CENTER_A,
    ("training.class_attendance", "GET"): {GRADER} | CENTER_A,
    ("training.class_attendance", "POST"): {GRADER} | CENTER_A,
    ("training.teach", "GET"): STAFF - {ADMIN},  # any staff role of a center may teach
    ("training.mine", "GET"): SIGNED_IN,
    ("training.checkin", "GET"): {CAND},  # a trainee of the running training
    ("training.checkin", "POST"): {CAND},
    ("training.certificate", "GET"): {CAND} | CENTER_A,  # cand03's 结业证书
    ("training.verify", "GET"): PUBLIC,
    ("training.staff_qualifications", "GET"): CENTER_A,
    ("training.staff_qualifications", "POST"): CENTER_A,
    ("ce.mine", "GET"): SIGNED_IN,
    ("ce.claim", "POST"): CE_CLAIMANTS,
    ("ce.queue", "GET"): MANAGERS,
    ("ce.decide", "POST"): CENTER_A,
    ("ce.settings", "GET"): CENTER_ADMINS,
    ("ce.settings", "POST"): CENTER_ADMINS,
    ("ce.center_summary", "GET"): CENTER_ADMINS,
    ("ce.transcript", "GET"): SIGNED_IN,
    ("talent.index", "GET"): MANAGERS,
    ("talent.export", "GET"): MANAGERS,
    ("talent.mine", "GET"): SIGNED_IN,
    # ---- theory on paper (书面笔答, 3-01-04-03 1.9.2): the session's proctors and center A's admins type
    # the scores (the world's session is a machine sitting: an allowed call gets 409)
    ("api.enter_paper_score", "PUT"): {PROCTOR} | CENTER_A,
    ("api.paper_scores_state", "GET"): {PROCTOR} | CENTER_A,
    ("exams.paper_scores_page", "GET"): {PROCTOR} | CENTER_A,
    ("exams.paper_scores_page", "POST"): {PROCTOR} | CENTER_A,
    # ---- the API described (contract v1.2: OpenAPI) and signed certificates: public, no auth
    ("api.openapi_document", "GET"): PUBLIC,
    ("api.api_docs", "GET"): PUBLIC,
    ("api.certificate_credential", "GET"): PUBLIC,
    ("main.jwks", "GET"): PUBLIC,
    # ---- sessions (issue 27 items 6 and 10): rooms corrected or deleted, a draft session deleted,
    # the candidate's photo on the printed 准考证 — the session's own center only
    ("sessions.edit_room", "GET"): CENTER_A,
    ("sessions.edit_room", "POST"): CENTER_A,
    ("sessions.delete_room", "POST"): CENTER_A,
    ("sessions.delete_session", "POST"): CENTER_A,
    ("sessions.candidate_photo", "GET"): CENTER_A,
    ("api.update_room", "PUT"): CENTER_A,
    ("api.delete_room", "DELETE"): CENTER_A,
    ("api.delete_session", "DELETE"): CENTER_A,
    # ---- results display (issue 27 item 11): when candidates see their theory score, a center's setting
    ("results.score_settings", "POST"): CENTER_ADMINS,
    # ---- score visibility API (issue 27 item 11): the same setting, center A's admin or the platform's
    # (center_id: center A, tests/authorization_world.py; another center's admin: 404)
    ("api.get_score_visibility", "GET"): CENTER_A,
    ("api.put_score_visibility", "PUT"): CENTER_A,
}

# Page buttons that refuse by flashing the reason and redirecting back (app.boundary.page_action), not
# with a 403 page: the test checks that an error was flashed and that nothing was written.
FLASHED_REFUSALS: dict[tuple[str, str], frozenset] = {
    ("statistics.write_back_item", "POST"): frozenset({ADMIN_A}),
}


def identity_for(endpoint: str, method: str, component: str | None) -> str:
    """Who the table lets through: a center admin first, else the candidate, the panel, the proctor, admin."""
    allowed = TABLE[(endpoint, method)]
    if isinstance(allowed, dict):
        allowed = allowed[component]
    if ANON in allowed:
        return ANON
    for identity in (ADMIN_A, CAND, GRADER if component != "review" else REVIEWER, PROCTOR, ADMIN, EXPERT):
        if identity in allowed:
            return identity
    raise AssertionError(f"nobody may call {endpoint} {method}")
