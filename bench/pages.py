"""List pages for the benchmark (bench/run): ("label", "url path", "username")."""

PAGES = [
    # supervision
    ("监督检查首页", "/supervision/", "auditor"),
    ("年度监督计划", "/supervision/plans/", "auditor"),
    ("现场监督列表", "/supervision/inspections/", "auditor"),
    ("现场监督列表（镇）", "/supervision/inspections/", "agent_lc"),
    ("非现场监督列表", "/supervision/offsite/", "auditor"),
    ("疑点核查列表", "/supervision/suspects/", "auditor"),
    ("疑点核查待核查", "/supervision/suspects/?status=open", "auditor"),
    ("举报列表", "/supervision/reports/", "auditor"),
    ("移送处理列表", "/supervision/referrals/", "auditor"),
    ("培训与指导", "/supervision/training/", "auditor"),
    ("各镇年度情况", "/supervision/training/overview/", "manager"),
    # benefits lifecycle
    ("领取资格认证名单", "/benefits/certifications/", "clerk"),
    ("领取资格认证名单（镇）", "/benefits/certifications/?which=overdue", "agent_lc"),
    ("死亡登记列表", "/benefits/deaths/", "clerk"),
    ("待遇追回列表", "/benefits/recovery/", "auditor"),
    # transfers and terminations, refunds
    ("转移接续与终止（县局）", "/enrollment/relationships/", "clerk"),
    ("转移接续与终止（镇）", "/enrollment/relationships/", "agent_lc"),
    ("退款", "/contributions/refunds/", "finance"),
]
