"""Demo data for org: villages for each town and one user per role, with a printed password."""

import random

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from . import roles
from .models import Town, User, Village

DEMO_PASSWORD = "Linggao#2026"

# Plausible village and community names; the bureau maintains the real list in the admin.
VILLAGE_NAMES = [
    "美鳌村", "红专村", "透滩村", "美良村", "新兴村", "博文村", "和贵村", "昌拱村", "加禄村", "美香村",
    "文新村", "东兴村", "南丰村", "文澜社区", "城南社区", "城北社区", "多莲村", "波浪村", "皇桐村", "美珠村",
]

DEMO_USERS = [
    # username, full name, role, town name (None: county)
    ("agent_lc", "王小梅", roles.TOWN_AGENT, "临城镇"),
    ("agent_bl", "符海生", roles.TOWN_AGENT, "波莲镇"),
    ("agent_hh", "陈春兰", roles.TOWN_AGENT, "国营红华农场"),
    ("clerk", "李建国", roles.CLERK, None),
    ("clerk2", "黄丽华", roles.CLERK, None),
    ("finance", "吴文静", roles.FINANCE, None),
    ("finance2", "林志强", roles.FINANCE, None),
    ("auditor", "周明", roles.AUDITOR, None),
    ("manager", "郑局长", roles.MANAGER, None),
    ("admin", "系统管理员", roles.ADMIN, None),
]


def seed(*, rng: random.Random, residents: int, stdout) -> dict:
    roles.sync_roles()
    towns = list(Town.objects.order_by("sort_order"))
    villages = []
    for town in towns:
        names = rng.sample(VILLAGE_NAMES, 6)
        for v_index, name in enumerate(names, start=1):
            villages.append(Village(town=town, code=f"{town.code}{v_index:03d}", name=name))
    Village.objects.bulk_create(villages, ignore_conflicts=True)

    by_name = {t.name: t for t in towns}
    groups = {g.name: g for g in Group.objects.all()}
    # Hash the shared demo password once: hashing is deliberately slow.
    password_hash = make_password(DEMO_PASSWORD)
    lines = []
    for username, full_name, role, town_name in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "town": by_name.get(town_name) if town_name else None},
        )
        if created:
            user.password = password_hash
            user.is_staff = role == roles.ADMIN
            user.is_superuser = role == roles.ADMIN
            user.save()
        user.groups.add(groups[role])
        lines.append(f"  {username:<10} {role}{'（' + town_name + '）' if town_name else ''}")
    stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：\n" + "\n".join(lines) + "\n")
    return {"villages": Village.objects.count(), "users": len(DEMO_USERS)}
