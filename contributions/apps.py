from django.apps import AppConfig


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = "保费征缴与个人账户"
    home_todos = ["contributions.todos.todos"]  # the home page's 待办 (linggao_pension.org.todos)
