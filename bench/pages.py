"""List pages for the benchmark (bench/run): ("label", "url path", "username"). Every list page an
app adds joins here (issue 10); bench/run's CORE_PAGES hold the registry, receipts, payroll and
dashboard pages the issue names."""

PAGES = [
    # the shared machinery
    ("后台任务", "/org/jobs/", "admin"),
    ("查看与下载记录", "/org/access-log/", "auditor"),
    # enrollment
    ("参保登记申请", "/enrollment/applications/", "clerk"),
    ("参保登记申请（镇）", "/enrollment/applications/", "agent_lc"),
    ("信息变更申请", "/enrollment/changes/", "clerk"),
    # contributions
    ("缴费首页", "/contributions/", "finance"),
    ("年终结算", "/contributions/year-end/", "finance"),
    ("基金上解", "/contributions/remittances/", "finance"),
    ("特殊记账", "/contributions/special/", "clerk"),
    # benefits
    ("到龄名单", "/benefits/due/", "clerk"),
    ("到龄名单 按结果", "/benefits/due/?result=eligible", "clerk"),
    ("到龄名单（镇）", "/benefits/due/", "agent_lc"),
    ("待遇申领", "/benefits/claims/", "clerk"),
    ("待遇申领（镇）", "/benefits/claims/", "agent_lc"),
    ("月度发放列表", "/benefits/payroll/", "finance"),
    ("暂停与恢复申请", "/benefits/suspensions/", "clerk"),
    ("代发项目", "/benefits/delegated/", "clerk"),
    # supervision
    ("监督检查首页", "/supervision/", "auditor"),
    ("年度监督计划", "/supervision/plans/", "auditor"),
    ("现场监督列表", "/supervision/inspections/", "auditor"),
    ("现场监督列表（镇）", "/supervision/inspections/", "agent_lc"),
    ("非现场监督列表", "/supervision/offsite/", "auditor"),
    ("疑点核查列表", "/supervision/suspects/", "auditor"),
    ("疑点核查待核查", "/supervision/suspects/?status=open", "auditor"),
    ("死亡疑点跟进", "/supervision/suspects/deaths/", "auditor"),
    ("举报列表", "/supervision/reports/", "auditor"),
    ("处理建议", "/supervision/penalties/", "auditor"),
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
    # archives and public services
    ("档案首页", "/archives/", "clerk"),
    ("档案文件", "/archives/documents/", "clerk"),
    ("档案借阅", "/archives/loans/", "clerk"),
    ("案卷", "/archives/volumes/", "clerk"),
    ("证明开具记录", "/archives/certificates/", "clerk"),
    ("登记簿", "/archives/registers/", "clerk"),
    ("服务窗口", "/archives/desk/", "clerk"),
    ("咨询记录", "/archives/consultations/", "clerk"),
    ("咨询统计", "/archives/consultations/stats/", "clerk"),
    ("政策文件", "/archives/policies/", "clerk"),
    # reports
    ("信息公开", "/reports/disclosure/", "manager"),
    ("工作计划与总结", "/reports/plans/", "manager"),
]
