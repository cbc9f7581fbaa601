from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"
    verbose_name = "待遇核定与发放"
    home_todos = ["benefits.todos.todos"]  # the home page's 待办 (linggao_pension.org.todos)
