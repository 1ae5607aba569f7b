#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: nssm_service
short_description: Run an application as a Windows service with nssm
version_added: 0.1.0
description:
  - Installs, configures, starts, stops and removes a Windows service run by nssm (the Non-Sucking Service
    Manager), with the application and its arguments, working directory, environment, account, start mode,
    dependencies, stdout/stderr log files with rotation, exit action, restart throttling and stop timeouts.
  - Options that are not given are left as they are on an existing service; a new service gets nssm's
    defaults (given in each option's description), except the account, which is the virtual account
    C(NT SERVICE\<name>) instead of LocalSystem.
  - One read of the whole service configuration per task (the registry values nssm keeps under
    C(HKLM\SYSTEM\CurrentControlSet\Services\<name>)), and one write that runs only the C(nssm set)/C(nssm reset)
    commands for the settings that differ.
  - A start that does not leave the service running fails the task with the last lines of the service's log
    files; a service created by the task is removed again, settings changed by the task are put back.
  - nssm must be on the host first, see the P(winflask.iis.nssm#role) role. The 2.24-101 build (or later
    pre-release) is needed for virtual accounts, C(AppTimestampLog) and C(AppKillProcessTree).
options:
  name:
    description:
      - Name of the service (the registry key name, not the display name).
      - At most 256 characters, without C(/) or C(\\) (the service control manager refuses them).
    type: str
    required: true
  state:
    description:
      - V(present) installs or updates the service and leaves it running or stopped as it is.
      - V(started) and V(stopped) also put it in that state; V(started) restarts a running service whose
        settings the task changed, so that they take effect.
      - V(restarted) always restarts it (starts it when stopped).
      - V(absent) stops and removes it (C(nssm remove <name> confirm)).
    type: str
    default: present
    choices: [present, started, stopped, restarted, absent]
  application:
    description:
      - Program the service runs (C(.exe), C(.bat) or C(.cmd)), a full path or a name found on the host's PATH.
      - Required to create the service; it must exist on the host.
      - nssm parameter C(Application).
    type: str
  arguments:
    description:
      - Arguments passed to O(application), one list item per argument.
      - Quoted on the controller with the Windows C runtime rules (C(subprocess.list2cmdline)), so spaces,
        double quotes and trailing backslashes reach the program unchanged.
      - When the application is a C(.bat) or C(.cmd) file, cmd.exe parses the arguments instead. An argument
        holding C(") C(%) or C(!) is refused (cmd.exe expands or ends quoting on them even inside quotes, the
        BatBadBut class of CVE-2024-24576); the others are wrapped in double quotes when they hold a space,
        tab, C(, ; =) or one of C(& | < > ^ ( )), so each arrives whole as C(%1), C(%2), ...
      - An empty list removes the arguments. nssm parameter C(AppParameters); default none.
    type: list
    elements: str
  working_directory:
    description:
      - Folder the application starts in. nssm parameter C(AppDirectory); default the application's folder.
    type: str
  environment:
    description:
      - Environment variables added to the service's environment (nssm parameter C(AppEnvironmentExtra)),
        written sorted by name. An empty dict removes them all.
      - Together with O(secret_environment) it is the whole C(AppEnvironmentExtra); when either is given, a
        variable named in neither is removed.
      - The values are not secret; they are shown in diff and results and written with an nssm command line.
        Use O(secret_environment) for tokens, passwords and connection strings.
    type: dict
  secret_environment:
    description:
      - Environment variables whose values are secret, added to C(AppEnvironmentExtra) with O(environment)'s.
      - A name must not also be in O(environment) (names compare case-insensitively, as Windows does).
      - The values are C(no_log). They reach the host only as win_powershell C(sensitive_parameters)
        (SecureStrings), and the module writes the C(REG_MULTI_SZ) registry value nssm reads at each service
        start itself, so no command line holds them. Results and diffs show the text "(secret)", or
        "(secret, changed)" when the value changes.
      - Idempotent without reading the values back; the host returns an HMAC-SHA256 of each one under a key
        made for the task, and the module compares it with its own of the wanted value.
      - A task returns no value it does not give itself; a variable named in neither O(environment) nor
        O(secret_environment) (an earlier task's secret included) is read as a digest and shown as the text
        "(not shown)". A task that gives O(environment) only still removes it (the two options are the whole
        value), so give O(secret_environment) in every task that manages the environment.
      - The registry value itself is plain data of the service's C(Parameters) key, readable by whoever may read
        that key (local users too, unless its ACL is narrowed; the module does not change it). See the
        collection's docs/nssm.md, "Secret environment".
    type: dict
  display_name:
    description:
      - Display name. Default the service name. At most 256 characters.
    type: str
  description:
    description:
      - Description shown in the Services console. Default none.
    type: str
  start_mode:
    description:
      - Start type. V(delayed) is automatic with a delayed start (nssm value C(SERVICE_DELAYED_AUTO_START)).
      - Default V(auto).
    type: str
    choices: [auto, delayed, manual, disabled]
  username:
    description:
      - Account the service runs as (nssm parameter C(ObjectName)).
      - A new service runs as the virtual account C(NT SERVICE\<name>) when this is not given; it needs no
        password and holds only the rights given to it. V(LocalSystem), C(NT AUTHORITY\LocalService) and
        C(NT AUTHORITY\NetworkService) need no password either; a gMSA is given with a trailing C($).
      - Other accounts need O(password) and the right to log on as a service, see O(grant_logon_right).
    type: str
  password:
    description:
      - Password of O(username). Never logged, and never in a request, result, diff or error message.
      - It reaches the host as a SecureString parameter (C(sensitive_parameters) of
        C(ansible.windows.win_powershell), masked in that module's own logs), and the host sets it through
        the service control manager (C(ChangeServiceConfigW)), as C(nssm set <svc> ObjectName) does,
        without an nssm command line that other local users could read while it runs.
      - A password cannot be read back; it is set when O(username) changes, or on every run with
        O(update_password=always).
    type: str
  update_password:
    description:
      - V(always) sets O(password) on every run (the task then always reports a change).
      - V(on_change) sets it only when the account changes.
    type: str
    default: on_change
    choices: [always, on_change]
  grant_logon_right:
    description:
      - Grant O(username) the right to log on as a service (C(SeServiceLogonRight)) when it lacks it.
      - With V(false), the task fails saying the account lacks the right instead.
      - Not needed by virtual accounts (they hold it through C(NT SERVICE\ALL SERVICES)) and built-in accounts.
    type: bool
    default: true
  dependencies:
    description:
      - Services that must run before this one (native C(DependOnService)). An empty list removes them.
    type: list
    elements: str
  stdout_file:
    description:
      - File that receives the application's standard output (nssm parameter C(AppStdout)). Default none.
      - The folder must exist. An empty string stops the redirection.
    type: str
  stderr_file:
    description:
      - File that receives the application's standard error (nssm parameter C(AppStderr)). Default none.
    type: str
  stdout_creation_disposition:
    description:
      - How nssm opens O(stdout_file) each time it starts the application, including its own restart of an
        application that exited (nssm parameter C(AppStdoutCreationDisposition), CreateFile's creation
        disposition).
      - V(append) (nssm's default, C(OPEN_ALWAYS) = 4) keeps what the file holds and writes at its end.
      - V(truncate) (C(CREATE_ALWAYS) = 2) empties the file first, so the output of the previous run, for
        example the traceback of the crash nssm restarts the application after, is lost unless O(rotate_files)
        moved the file aside first (rotation happens before the file is opened).
      - Another value set outside this module is returned as its number.
    type: str
    choices: [append, truncate]
  stderr_creation_disposition:
    description:
      - The same for O(stderr_file) (nssm parameter C(AppStderrCreationDisposition)); default V(append).
      - When O(stderr_file) is O(stdout_file), nssm opens the file once with O(stdout_creation_disposition);
        a different value here fails the task.
    type: str
    choices: [append, truncate]
  rotate_files:
    description:
      - Rotate the log files when the service starts (nssm parameter C(AppRotateFiles)). Default V(false).
    type: bool
  rotate_online:
    description:
      - Also rotate while the service runs (nssm parameter C(AppRotateOnline)). Default V(false).
    type: bool
  rotate_seconds:
    description:
      - Rotate only files older than this many seconds, V(86400) for daily (nssm parameter C(AppRotateSeconds)).
      - Default V(0) (no age limit).
    type: int
  rotate_bytes:
    description:
      - Rotate only files larger than this many bytes, V(1048576) for 1 MiB (nssm parameter C(AppRotateBytes)).
      - Default V(0) (no size limit).
    type: int
  timestamp_log:
    description:
      - Prefix each log line with a timestamp (nssm parameter C(AppTimestampLog), pre-release builds).
      - Default V(false).
    type: bool
  exit_action:
    description:
      - What nssm does when the application exits (nssm parameter C(AppExit Default)). Default V(restart).
    type: str
    choices: [restart, ignore, exit, suicide]
  restart_delay:
    description:
      - Milliseconds to wait before a restart (nssm parameter C(AppRestartDelay)). Default V(0).
    type: int
  throttle:
    description:
      - Milliseconds an application must run to count as started; quicker exits are throttled
        (nssm parameter C(AppThrottle)). Default V(1500).
      - The task waits this long (plus half a second) after a start before it checks that the service runs.
    type: int
  stop_console_timeout:
    description:
      - Milliseconds to wait after Ctrl+C at stop (nssm parameter C(AppStopMethodConsole)). Default V(1500).
    type: int
  stop_window_timeout:
    description:
      - Milliseconds to wait after WM_CLOSE at stop (nssm parameter C(AppStopMethodWindow)). Default V(1500).
    type: int
  stop_threads_timeout:
    description:
      - Milliseconds to wait after WM_QUIT at stop (nssm parameter C(AppStopMethodThreads)). Default V(1500).
    type: int
  kill_process_tree:
    description:
      - Also kill the application's child processes at stop (nssm parameter C(AppKillProcessTree)).
      - Default V(true).
    type: bool
  no_console:
    description:
      - Start the application without a console (nssm parameter C(AppNoConsole)); the workaround nssm 2.24 needs
        on Windows 10 1703 and later. Default V(false).
    type: bool
  executable:
    description:
      - Path of C(nssm.exe) on the host.
      - Default C(nssm.exe) found on the PATH (the machine PATH is read from the registry, so a PATH changed
        earlier in the play counts), then C(%ProgramFiles%\nssm\nssm.exe).
    type: str
  take_over:
    description:
      - Replace an existing service of the same name that is not run by nssm (it is stopped and deleted, then
        installed with nssm). Without it the task refuses to touch such a service.
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: A service that does not exist yet is shown with every setting it would get.
  diff_mode:
    support: full
    details: The service's settings before and after, as YAML.
  platform:
    platforms: windows
notes:
  - The module runs on the controller as an action plugin and reaches the host through
    M(ansible.windows.win_powershell) (PowerShell 5.1); it runs C(nssm.exe) with a command line quoted on the
    controller and decodes nssm's UTF-16LE output.
  - Settings changed on a running service take effect at its next start; use O(state=started) or
    O(state=restarted) to apply them at once.
seealso:
  - module: winflask.iis.nssm_service_info
  - module: ansible.windows.win_service
  - module: ansible.windows.win_user_right
  - name: nssm usage
    description: nssm's commands and parameters.
    link: https://nssm.cc/usage
author:
  - winflask.iis developers (@winflask)
"""

EXAMPLES = r"""
- name: Run the Flask app's run_server.bat as a service, logs rotated daily or at 1 MiB
  winflask.iis.nssm_service:
    name: myapp
    application: C:\apps\myapp\run_server.bat
    working_directory: C:\apps\myapp
    display_name: My Flask app (waitress)
    description: Flask app behind IIS, served by waitress on 127.0.0.1:5000
    start_mode: delayed
    stdout_file: C:\apps\myapp\logs\stdout.log
    stderr_file: C:\apps\myapp\logs\stderr.log
    rotate_files: true
    rotate_online: true
    rotate_seconds: 86400
    rotate_bytes: 1048576
    state: started

- name: Run waitress from a virtualenv, with arguments and environment
  winflask.iis.nssm_service:
    name: myapp
    application: C:\apps\myapp\.venv\Scripts\python.exe
    arguments:
      - -m
      - waitress
      - --listen=127.0.0.1:5000
      - --url-prefix=/myApp
      - app:app
    environment:
      FLASK_ENV: production
      APP_CONFIG: C:\apps\myapp\config files\prod.toml
    secret_environment:
      DATABASE_URL: "{{ vault_myapp_database_url }}"
    exit_action: restart
    restart_delay: 5000
    state: started

- name: Run as a domain account (granted the right to log on as a service)
  winflask.iis.nssm_service:
    name: myapp
    username: CORP\svc-myapp
    password: "{{ vault_svc_myapp_password }}"
    state: restarted

- name: Remove the service
  winflask.iis.nssm_service:
    name: myapp
    state: absent
"""

RETURN = r"""
name:
  description: The service's name as the host spells it.
  returned: always
  type: str
  sample: myapp
service:
  description:
    - The service's settings after the task (in check mode, those it would have), with the module's option
      names. C(arguments) is the quoted command line nssm stores (C(AppParameters)).
    - A variable of O(secret_environment) shows the text "(secret)" in C(environment), never its value; one
      the task does not name (in neither O(environment) nor O(secret_environment)) shows "(not shown)".
    - V(null) when the service is absent.
  returned: always
  type: dict
  sample:
    application: C:\apps\myapp\run_server.bat
    arguments: ""
    working_directory: C:\apps\myapp
    environment: {}
    display_name: myapp
    description: ""
    start_mode: auto
    username: NT SERVICE\myapp
    dependencies: []
    stdout_file: C:\apps\myapp\logs\stdout.log
    stderr_file: C:\apps\myapp\logs\stderr.log
    stdout_creation_disposition: append
    stderr_creation_disposition: append
    rotate_files: true
    rotate_online: true
    rotate_seconds: 86400
    rotate_bytes: 1048576
    timestamp_log: false
    exit_action: restart
    restart_delay: 0
    throttle: 1500
    stop_console_timeout: 1500
    stop_window_timeout: 1500
    stop_threads_timeout: 1500
    kill_process_tree: true
    no_console: false
status:
  description: The service's status after the task, as nssm names it; V(null) when absent.
  returned: always
  type: str
  sample: SERVICE_RUNNING
exists:
  description: Whether the service exists after the task.
  returned: always
  type: bool
nssm_commands:
  description:
    - The nssm commands the task ran (or would run in check mode). The password is never in them; the
      account command shows C(********) in its place, and so does each O(secret_environment) value
      (C(NAME=********), and that command is a registry write, not an nssm command line).
  returned: always
  type: list
  elements: list
  sample: [["set", "myapp", "AppRotateBytes", "1048576"]]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.winflask.iis.plugins.module_utils.nssm_service import SPEC


def main():
    module = AnsibleModule(supports_check_mode=True, **SPEC.module_kwargs())
    module.fail_json(msg="winflask.iis.nssm_service runs as an action plugin on the controller; "
                         "this file only holds its documentation.")


if __name__ == "__main__":
    main()
