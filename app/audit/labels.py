"""The audit log's action codes (dotted: domain.what_happened) and their Chinese names. ``record``
refuses a code not listed here, so the page can name every entry."""

from __future__ import annotations

ACTION_LABELS = {
    # 操作技能考核 / 综合评审 (1.9.3: every entry and correction recorded with who and when)
    "practical.sheet_saved": "操作技能评分录入/更正",
    "practical.marked": "操作技能标记缺考/违纪",
    "practical.unmarked": "操作技能取消标记",
    "practical.finalized": "操作技能定分",
    "practical.split_set": "操作技能评分项拆分",
    "practical.threshold_set": "分差阈值设置",
    "review.sheet_saved": "综合评审评分录入/更正",
    "review.marked": "综合评审标记缺考/违纪",
    "review.unmarked": "综合评审取消标记",
    "review.finalized": "综合评审定分",
    "review.material_uploaded": "评审材料上传",
    "review.material_deleted": "评审材料删除",
    # 理论知识考试 (机考)
    "exam.submitted": "考生交卷（计分）",
    "exam.closed_at_deadline": "到时收卷（计分）",
    "exam.force_closed": "监考强制收卷（计分）",
    "exam.extension_granted": "监考延时",
    "exam.incident_recorded": "监考记录异常",
    # 理论知识考试 (书面笔答, 3-01-04-03 1.9.2)
    "exam.paper_score_entered": "书面笔答成绩录入",
    # 1.9.3 配备不足仍继续（书面理由）
    "session.staffing_exception": "配备不足仍继续（理由）",
    # 考试批次的不可逆操作 (issue 27 item 4/6, issue 28)
    "session.papers_reassigned": "重新组卷（理由）",
    "session.deleted": "删除草稿批次",
    "session.room_deleted": "删除考场",
    "session.capacity_override": "考场超员安排（理由）",
    # 成绩与证书
    "results.published": "成绩发布",
    "certificate.issued": "证书颁发",
    "certificate.revoked": "证书撤销",
    "certificate.settings_changed": "证书编号设置",
    "results.score_display_set": "理论成绩显示时间设置",
    "session.certificate_holder_enrolled": "已持证考生再次报名（理由）",
    # 申报
    "application.approved": "申报批准",
    "application.rejected": "申报驳回",
    "application.withdrawn": "申报撤回",
    "evidence.deleted": "证明材料删除",
    # 登录
    "token.revoked": "令牌吊销",
    # 账号 (app/auth: registration, passwords, staff accounts)
    "account.registered": "考生自行注册",
    "account.registration_approved": "注册审核通过",
    "account.registration_rejected": "注册审核驳回",
    "account.registration_setting": "注册审核设置",
    "account.password_changed": "修改密码",
    "account.reset_code_issued": "发放密码重置码",
    "account.password_reset": "凭重置码重设密码",
    "account.created": "创建人员账号",
    "account.imported": "批量导入考生账号",
    "account.deactivated": "停用账号",
    "account.activated": "启用账号",
    # 题库与组卷
    "bank.items_imported": "试题导入/新增",
    "bank.item_edited": "试题修改",
    "bank.item_retired": "试题停用",
    "bank.item_restored": "试题恢复",
    "bank.difficulty_written_back": "难度回写",
    "paper.assembled": "组卷",
    "session.papers_assigned": "试卷分配到批次（冻结）",
    # 满意度测评 (T/SSOF 0001-2024 §7); an anonymous survey's responses are not audited (app.surveys.operations)
    "survey.created": "问卷发布",
    "survey.closed": "问卷结束",
    "survey.responded": "实名问卷提交",
    "survey.template_saved": "问卷模板保存",
    "survey.settings_changed": "满意度设置",
    "survey.improvement_recorded": "整改措施记录",
    # ---- organization rating (社会组织等级评估)
    "rating.round_created": "评估批次创建",
    "rating.grades_set": "评估等级线设置",
    "rating.organization_enrolled": "评估对象加入",
    "rating.self_scored": "自评录入/更正",
    "rating.self_submitted": "自评提交",
    "rating.expert_scored": "评估专家评分录入/更正",
    "rating.finalized": "评估定分",
    "rating.published": "评估结果公示",
    "rating.appeal_lodged": "复核申请",
    "rating.appeal_decided": "复核决定",
    "rating.announced": "评估结果公告",
    "rating.certificate_issued": "评估等级证书颁发",
    "rating.checklist_answered": "能力建设自查填写",
    # 职业培训 · 继续教育 · 资格
    "qualifications.saved": "人员资格登记",
    "training.created": "培训班创建",
    "training.trainee_added": "培训学员报名",
    "training.class_added": "培训课次添加",
    "training.attendance_saved": "培训考勤",
    "training.checked_in": "扫码签到",
    "training.completed": "培训结业",
    "ce.requirement_saved": "继续教育要求设置",
    "ce.claimed": "继续教育学时申报",
    "ce.approved": "继续教育学时认定",
    "ce.rejected": "继续教育学时不予认定",
}

SUBJECT_LABELS = {
    "score_sheets": "评分记录表",
    "component_results": "考核结果",
    "section_splits": "评分项拆分",
    "scoring_settings": "评分设置",
    "review_materials": "评审材料",
    "attempts": "机考作答",
    "proctor_actions": "监考记录",
    "exam_sessions": "考试批次",
    "certificates": "证书",
    "center_certificate_settings": "证书设置",
    "score_display_settings": "成绩显示设置",
    "session_candidates": "报名",
    "applications": "申报",
    "evidence_files": "证明材料",
    "api_tokens": "API 令牌",
    "users": "用户账号",
    "centers": "机构",
    "bank_items": "试题",
    "difficulty_writebacks": "难度回写",
    "papers": "试卷",
    "surveys": "问卷",
    "survey_templates": "问卷模板",
    "survey_settings": "满意度设置",
    "survey_improvements": "整改措施",
    "rating_rounds": "评估批次",
    "rating_organizations": "评估对象",
    "rating_checklist_answers": "能力建设自查",
    "staff_qualifications": "人员资格",
    "trainings": "培训班",
    "training_trainees": "培训学员",
    "training_classes": "培训课次",
    "ce_requirements": "继续教育要求",
    "ce_records": "继续教育学时",
    "paper_score_entries": "书面笔答成绩录入",
    "staffing_exceptions": "配备例外",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def subject_label(kind: str) -> str:
    return SUBJECT_LABELS.get(kind, kind)
