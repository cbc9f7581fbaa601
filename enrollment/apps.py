from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = "参保登记"
    home_todos = ["enrollment.todos.todos"]  # the home page's 待办 (linggao_pension.org.todos)
