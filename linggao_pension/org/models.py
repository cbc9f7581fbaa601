"""Towns and farms, villages, users with roles, job runs and the access log.

Every app imports this module; it imports no app.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import access


class ScopedQuerySet(models.QuerySet):
    """A QuerySet whose rows belong to a town through `town_field` (or several: `town_fields`)."""

    town_field = "town"
    town_fields: tuple[str, ...] = ()

    def in_scope(self, user):
        """The rows `user` may read (linggao_pension.org.access: their town, or all for county staff)."""
        return access.in_scope(self, user, *(self.town_fields or (self.town_field,)))


class TownKind(models.TextChoices):
    TOWN = "town", "镇"
    FARM = "farm", "国营农场"


class Town(models.Model):
    Kind = TownKind

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    kind = models.CharField("类型", max_length=4, choices=Kind, default=Kind.TOWN)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "镇/农场"
        verbose_name_plural = "镇/农场"
        ordering = ["sort_order", "code"]
        permissions = [("view_all_towns", "可查看全县各镇/农场的数据")]
        constraints = [models.CheckConstraint(condition=Q(kind__in=TownKind.values), name="town_kind_valid")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def choices_for(cls, user):
        """The active towns a user may choose in forms and filters."""
        return access.in_scope(cls.objects.filter(is_active=True), user, "pk")


class VillageQuerySet(ScopedQuerySet):
    pass


class Village(models.Model):
    """村/居委会 under a town or farm."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="villages", verbose_name="镇/农场")
    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=40)
    is_active = models.BooleanField("启用", default=True)
    history = HistoricalRecords()

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = "村/居委会"
        verbose_name_plural = "村/居委会"
        ordering = ["town__sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="village_unique_name_in_town")]
        permissions = [("import_villages", "可导入村/居委会名单")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A bureau or town user. Roles are groups (see roles.py); a town agent has a town."""

    full_name = models.CharField("姓名", max_length=30, blank=True)
    town = models.ForeignKey(
        Town, models.PROTECT, null=True, blank=True, related_name="agents", verbose_name="所属镇/农场",
        help_text="镇/农场经办员必须填写；县局人员留空。",
    )
    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_names(self) -> list[str]:
        return sorted(g.name for g in self.groups.all())


def stall_cutoff(now=None):
    """Jobs whose last heartbeat is older than this have stopped (settings.JOB_STALL_SECONDS)."""
    return (now or timezone.now()) - timedelta(seconds=settings.JOB_STALL_SECONDS)


class JobRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The jobs `user` may see: every job for county-wide staff, a town user's own jobs only."""
        return self if user.has_perm("org.view_all_towns") else self.filter(started_by=user)

    def stalled(self, now=None):
        """Queued or running jobs with no heartbeat for JOB_STALL_SECONDS: the worker died (kill -9,
        a lost machine) or the message was lost. They are resumed by org.tasks.jobs_resume_stalled
        or by the manager's button on the job page (services.jobrun_resume)."""
        return self.filter(status__in=[JobRun.Status.QUEUED, JobRun.Status.RUNNING]).filter(
            Q(heartbeat_at__lt=stall_cutoff(now)) | Q(heartbeat_at__isnull=True)
        )


class JobRunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


class JobRun(models.Model):
    """One run of a batch job or import: what, who, when, parameters, progress, counts, result.

    A running job keeps a heartbeat (heartbeat_at, written with each progress report and by a
    ticker while the handler works); `attempt` counts the claims, so a runner that was taken over
    after it stalled notices at its next heartbeat and stops (services.jobrun_execute).
    """

    Status = JobRunStatus

    kind = models.CharField("任务", max_length=60, db_index=True)
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    progress_done = models.PositiveIntegerField("已处理", default=0)
    progress_total = models.PositiveIntegerField("总数", default=0)
    counts = models.JSONField("计数", default=dict, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("错误信息", blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True, default=timezone.now)
    attempt = models.PositiveSmallIntegerField("运行次数", default=0)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="恢复人"
    )
    resumed_at = models.DateTimeField("恢复时间", null=True, blank=True)

    objects = JobRunQuerySet.as_manager()

    class Meta:
        verbose_name = "批处理任务记录"
        verbose_name_plural = "批处理任务记录"
        ordering = ["-created_at", "-pk"]
        permissions = [("resume_jobrun", "可恢复已停滞的批处理任务")]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="jobrun_status_heartbeat_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JobRunStatus.values), name="jobrun_status_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def kind_label(self) -> str:
        from linggao_pension import registry

        return registry.job_labels().get(self.kind, self.kind)

    @property
    def result_page_url(self) -> str | None:
        """The app's own page for this job's outcome, where there is one."""
        from django.urls import reverse

        from linggao_pension import registry

        name = registry.job_result_pages().get(self.kind)
        return reverse(name, args=[self.pk]) if name else None

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def is_stalled(self) -> bool:
        """Queued or running, with no heartbeat for settings.JOB_STALL_SECONDS."""
        if self.is_finished:
            return False
        return self.heartbeat_at is None or self.heartbeat_at < stall_cutoff()

    STALLED_LABEL = "已停滞"

    @property
    def status_key(self) -> str:
        """The status for CSS classes and lists: "stalled" for a stalled job."""
        return "stalled" if self.is_stalled else self.status

    @property
    def status_label(self) -> str:
        return self.STALLED_LABEL if self.is_stalled else self.get_status_display()


class AccessLog(models.Model):
    """Every view of a full personal record (who, when, which record, why)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="用户")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    object_type = models.CharField("对象类型", max_length=60)
    object_id = models.CharField("对象编号", max_length=40)
    label = models.CharField("对象", max_length=100, blank=True)
    action = models.CharField("操作", max_length=30, default="查看")
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    class Meta:
        verbose_name = "个人信息查看日志"
        verbose_name_plural = "个人信息查看日志"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="accesslog_object_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.label}"


class StatusAction(models.TextChoices):
    CREATE = "create", "录入"
    EDIT = "edit", "修改"
    MOVE = "move", "状态变更"


class StatusChange(models.Model):
    """One move of a record along its state machine (linggao_pension.states.state_move), in one table
    for every record type: which record, from which state to which, who, when and the opinion.

    `maker` marks the steps that prepare a record (entering it, editing it, submitting it): their
    users never approve it (maker-checker, linggao_pension.workflow).
    """

    Action = StatusAction

    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+", verbose_name="记录类型")
    object_id = models.PositiveBigIntegerField("记录编号")
    record = GenericForeignKey("content_type", "object_id")
    action = models.CharField("操作", max_length=10, choices=Action, default=Action.MOVE)
    from_status = models.CharField("原状态", max_length=30, blank=True)
    to_status = models.CharField("新状态", max_length=30)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="经办人")
    at = models.DateTimeField("时间", default=timezone.now)
    opinion = models.TextField("意见", blank=True)
    maker = models.BooleanField("经办（录入、修改或提交）", default=False)

    class Meta:
        verbose_name = "状态变更记录"
        verbose_name_plural = "状态变更记录"
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="statuschange_record_idx"),
            models.Index(fields=["by", "content_type"], name="statuschange_by_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=StatusAction.values), name="statuschange_action_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.from_status} → {self.to_status}"

    def _labels(self) -> dict:
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        try:
            return dict(model._meta.get_field("status").flatchoices)
        except FieldDoesNotExist:  # a record type without a `status` field: show the values
            return {}

    @property
    def from_label(self) -> str:
        return self._labels().get(self.from_status, self.from_status) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return self._labels().get(self.to_status, self.to_status)

    @property
    def step_label(self) -> str:
        """How the step reads on a page: 录入, 修改, or 原状态 → 新状态."""
        if self.action == self.Action.EDIT:
            return "修改"
        if not self.from_status:
            return self.to_label
        return f"{self.from_label} → {self.to_label}"


class KeptFigures(models.Model):
    """Dashboard figures kept by a job instead of counted on every page view (issue 10): one row
    per figure set an app declares (`kept_figures` in its apps.py), its data per town, and when it
    was computed. Read and refreshed by linggao_pension.org.figures."""

    key = models.CharField("统计项", max_length=60, primary_key=True)
    data = models.JSONField("数据", default=dict)
    computed_at = models.DateTimeField("统计时间")

    class Meta:
        verbose_name = "看板统计"
        verbose_name_plural = "看板统计"

    def __str__(self) -> str:
        return f"{self.key} @ {self.computed_at:%Y-%m-%d %H:%M}"
