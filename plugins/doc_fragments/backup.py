# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The backup option of the modules that write IIS configuration (arr_proxy, rewrite_rule(s), server_variable)."""


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  backup_keep:
    description:
      - Before a write, the module copies every configuration file it changes to
        C(%ProgramData%\winflask\backup\<yyyyMMdd-HHmmss-fff>\), keeping the file's full path under the
        drive letter. C(applicationHost.config) can hold encrypted credentials, so the C(backup) folder gets
        the access rules of the IIS configuration folder (SYSTEM and Administrators only, not inherited
        from C(%ProgramData%)).
      - After a successful backup, only the newest O(backup_keep) backup folders are kept; older ones are
        deleted. V(0) keeps every backup. A negative number is refused.
      - When a write fails after its backup was taken, the task's message names the backup files.
    type: int
    default: 20
notes:
  - The write is refused (error code C(FingerprintMismatch), nothing written) when another program changed
    a configuration file between this task's read and its write; run the task again. A read that keeps
    racing with writers fails with C(ConfigChanging).
"""
