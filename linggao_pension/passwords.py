"""Password validation messages in Chinese where Django's zh-hans catalogue has none."""

from django.contrib.auth.password_validation import MinimumLengthValidator as _MinimumLength
from django.core.exceptions import ValidationError


class MinimumLengthValidator(_MinimumLength):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码长度太短，至少需要 {self.min_length} 个字符。", code="password_too_short",
                                  params={"min_length": self.min_length})

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"
