from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models

from ihf.db import NOW, EmailTextField, ShortTextField, uuid_primary_key


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in, on the seed's `users` table: email login, password in `password_hash`,
    lockout after repeated failures (`failed_login_attempts`, `locked_at`)."""

    id = uuid_primary_key()
    email = EmailTextField(unique=True)
    password = models.TextField("password", db_column="password_hash")
    name = ShortTextField(blank=True, default="")
    locked_at = models.DateTimeField(null=True, blank=True)
    failed_login_attempts = models.IntegerField(default=0, db_default=0)
    created_at = models.DateTimeField(db_default=NOW, editable=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Whether the user can sign in to the Django admin."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        db_table = "users"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(models.functions.Lower("email"), name="users_email_lower_uniq"),
        ]

    def __str__(self):
        return self.name or self.email

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


class LoginThrottle(models.Model):
    """Sign-in attempts per key in a fixed window (ihf/throttle.py): `addr:<address or IPv6 /64>` counts every
    attempt from a client address, `device:<id>` the failures of a browser known from a past sign-in
    (ihf/devices.py). One row per key, so one upsert counts an attempt; rows whose window ended are deleted
    as attempts come in."""

    key = models.TextField(primary_key=True)
    attempts = models.IntegerField()
    window_ends_at = models.DateTimeField()

    class Meta:
        db_table = "login_throttles"
        indexes = [models.Index(fields=["window_ends_at"], name="login_throttles_ends_idx")]

    def __str__(self):
        return f"{self.key}: {self.attempts} until {self.window_ends_at:%Y-%m-%d %H:%M}"
