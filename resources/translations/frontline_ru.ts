<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru_RU">
<context>
    <name>AdminError</name>
    <message>
        <location filename="../../app/storage/admin.py" line="59"/>
        <source>{login} cannot be a login: use 1-63 letters, digits, &apos;_&apos;, &apos;.&apos;, &apos;@&apos; or &apos;-&apos; (not starting with pg_ nor naming a Frontline group role).</source>
        <translation>{login} не может быть логином: используйте от 1 до 63 латинских букв, цифр и знаков &apos;_&apos;, &apos;.&apos;, &apos;@&apos; или &apos;-&apos; (не начиная с pg_ и не называя групповую роль Frontline).</translation>
    </message>
    <message>
        <location filename="../../app/storage/admin.py" line="96"/>
        <source>Unknown role {role}: use {roles}.</source>
        <translation>Неизвестная роль {role}: используйте {roles}.</translation>
    </message>
    <message>
        <location filename="../../app/storage/admin.py" line="103"/>
        <source>The department needs a name.</source>
        <translation>Укажите название отдела.</translation>
    </message>
    <message>
        <location filename="../../app/storage/admin.py" line="107"/>
        <source>The operator needs a display name.</source>
        <translation>Укажите отображаемое имя оператора.</translation>
    </message>
    <message>
        <location filename="../../app/storage/admin.py" line="112"/>
        <source>The operator needs a password for their database login.</source>
        <translation>Оператору нужен пароль для входа в базу данных.</translation>
    </message>
    <message>
        <location filename="../../app/storage/admin.py" line="119"/>
        <source>An operator with the login {login} exists already.</source>
        <translation>Оператор с логином {login} уже существует.</translation>
    </message>
    <message>
        <location filename="../../app/storage/admin.py" line="160"/>
        <source>The Frontline group roles do not exist: run “frontline admin migrate” on this database first.</source>
        <translation>Групповых ролей Frontline нет: сначала выполните «frontline admin migrate» для этой базы данных.</translation>
    </message>
    <message>
        <location filename="../../app/storage/admin.py" line="171"/>
        <source>A PostgreSQL role named {login} exists already; choose another login or remove that role.</source>
        <translation>Роль PostgreSQL {login} уже существует: выберите другой логин или удалите эту роль.</translation>
    </message>
    <message>
        <location filename="../../app/storage/admin.py" line="192"/>
        <source>The database role used may not create login roles: run this as the owner role (with CREATEROLE) or a superuser.</source>
        <translation>Этой роли базы данных нельзя создавать роли для входа: выполните команду от имени роли-владельца (с CREATEROLE) или суперпользователя.</translation>
    </message>
</context>
<context>
    <name>AudioNotice</name>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="15"/>
        <source>headset microphone</source>
        <translation>микрофон гарнитуры</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="16"/>
        <source>headset</source>
        <translation>гарнитура</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="17"/>
        <source>ringing device</source>
        <translation>устройство звонка</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="19"/>
        <source>the default device</source>
        <translation>устройство по умолчанию</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="20"/>
        <source>none</source>
        <translation>нет</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="22"/>
        <source>The {device} ({wanted}) is gone: using {using} until it is back. The call goes on.</source>
        <translation>Устройство «{device}» ({wanted}) отключено: пока используется {using}. Звонок продолжается.</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="27"/>
        <source>The {device} ({wanted}) is back and in use.</source>
        <translation>Устройство «{device}» ({wanted}) снова подключено и используется.</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="31"/>
        <source>No {device} is available: plug one in. The call goes on.</source>
        <translation>Нет доступного устройства «{device}»: подключите его. Звонок продолжается.</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="34"/>
        <source>The {device} stopped and was restarted ({using}).</source>
        <translation>Устройство «{device}» остановилось и было перезапущено ({using}).</translation>
    </message>
</context>
<context>
    <name>AudioSettingsDialog</name>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="24"/>
        <source>Sound devices</source>
        <translation>Звуковые устройства</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="27"/>
        <source>The ringtone plays on the ringing device (e.g. the desk speaker) while the headset stays quiet. The softphone restarts to use the new devices.</source>
        <translation>Звонок звучит на устройстве звонка (например, на колонке на столе), а гарнитура молчит. Софтфон перезапустится, чтобы использовать новые устройства.</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="37"/>
        <source>Headset &amp;microphone:</source>
        <translation>&amp;Микрофон гарнитуры:</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="38"/>
        <source>&amp;Headset:</source>
        <translation>&amp;Гарнитура:</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="39"/>
        <source>&amp;Ringing device:</source>
        <translation>&amp;Устройство звонка:</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="43"/>
        <source>Sound devices cannot be listed: {error}</source>
        <translation>Не удаётся получить список звуковых устройств: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="59"/>
        <source>System default</source>
        <translation>Системное по умолчанию</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="63"/>
        <source>{name} (not connected)</source>
        <translation>{name} (не подключено)</translation>
    </message>
</context>
<context>
    <name>CallDesk</name>
    <message>
        <location filename="../../app/ui/call_desk.py" line="258"/>
        <source>Phone offline — calls can&apos;t reach you. You become Ready when it is back.</source>
        <translation>Телефон не в сети — звонки до вас не доходят. Вы станете «Готов», когда он вернётся.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="264"/>
        <source>Phone back: calls reach you again.</source>
        <translation>Телефон снова в сети: звонки до вас доходят.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="266"/>
        <source>Phone offline — calls can&apos;t reach you.</source>
        <translation>Телефон не в сети — звонки до вас не доходят.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="322"/>
        <source>Anonymous caller: nothing to look up.</source>
        <translation>Номер скрыт: искать нечего.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="364"/>
        <source>The caller&apos;s card could not be looked up: {error}</source>
        <translation>Не удалось найти карточку звонящего: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="389"/>
        <source>{count} customers share this number: pick the caller and press Enter.</source>
        <translation>Этот номер у нескольких клиентов ({count}): выберите звонящего и нажмите Enter.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="469"/>
        <source>an anonymous caller</source>
        <translation>анонимным абонентом</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="483"/>
        <source>The softphone stopped ({why}); restarting it. Your ticket is kept.</source>
        <translation>Софтфон остановился ({why}); перезапускаем. Ваша заявка сохранена.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="488"/>
        <source>The softphone stopped ({why}) and the call with {caller} was lost; restarting it. Your ticket and what you typed are kept.</source>
        <translation>Софтфон остановился ({why}), разговор с {caller} прерван; перезапускаем. Ваша заявка и введённый текст сохранены.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="505"/>
        <source>The softphone is back.</source>
        <translation>Софтфон снова работает.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="677"/>
        <source>The call record could not be saved yet ({error}). It is kept and saved as soon as the database answers; carry on.</source>
        <translation>Запись о звонке пока не сохранена ({error}). Она не потеряется и будет сохранена, как только база данных ответит; продолжайте работу.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="684"/>
        <source>The delayed call records are saved now.</source>
        <translation>Отложенные записи о звонках сохранены.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="690"/>
        <source>A disposition is picked for an answered call, from its answer on.</source>
        <translation>Итог звонка выбирается для принятого звонка, начиная с момента ответа.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="718"/>
        <source>No disposition was picked for the last call: it is stored as not chosen. F10 still picks one until the next call.</source>
        <translation>Итог последнего звонка не выбран: он сохранён как «не выбран». До следующего звонка его ещё можно выбрать клавишей F10.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="794"/>
        <source>Something went wrong: {error}</source>
        <translation>Что-то пошло не так: {error}</translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <location filename="../../app/cli.py" line="87"/>
        <source>frontline: something unexpected went wrong ({kind}); this is a bug in Frontline. Run the command again with --verbose to see the details, and report them.</source>
        <translation>frontline: произошла непредвиденная ошибка ({kind}); это ошибка в Frontline. Запустите команду ещё раз с --verbose, чтобы увидеть подробности, и сообщите о них.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="296"/>
        <source>The operator {operator} cannot sign in with the database login {login}: each desk works as its operator&apos;s own login. Put {operator} in the database URL, or leave out --operator.</source>
        <translation>Оператор {operator} не может войти под учётной записью базы данных {login}: каждое рабочее место работает под собственной учётной записью своего оператора. Укажите {operator} в адресе базы данных или не указывайте --operator.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="328"/>
        <source>frontline: demo data already present, nothing to do.</source>
        <translation>frontline: демонстрационные данные уже есть, делать нечего.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="371"/>
        <source>frontline: database at revision {revision}</source>
        <translation>frontline: версия схемы базы данных — {revision}</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="388"/>
        <source>The database URL names no user, so there is no password to store: add LOGIN@ to it.</source>
        <translation>В адресе базы данных не указан пользователь, и сохранять пароль не для кого: добавьте в адрес LOGIN@.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="402"/>
        <source>Which SIP account? The site file has no [sip] username and server (a peer-to-peer desk needs no password); give them with --user and --server.</source>
        <translation>Какая учётная запись SIP? В файле настроек нет [sip] username и server (рабочему месту без регистратора пароль не нужен); укажите их через --user и --server.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="416"/>
        <source>Password for {account}: </source>
        <translation>Пароль для {account}: </translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="420"/>
        <source>frontline: the password for {account} is stored in the OS keyring.</source>
        <translation>frontline: пароль для {account} сохранён в хранилище ключей ОС.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="431"/>
        <source>Empty password; nothing done.</source>
        <translation>Пустой пароль; ничего не сделано.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="443"/>
        <source>Password for the new login {login}: </source>
        <translation>Пароль для нового логина {login}: </translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="456"/>
        <source>frontline: operator {login} ({role}, {department}) created.</source>
        <translation>frontline: оператор {login} ({role}, {department}) создан.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="473"/>
        <source>sync-status reads the central PostgreSQL database: give --db postgresql://…</source>
        <translation>sync-status читает центральную базу данных PostgreSQL: укажите --db postgresql://…</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="487"/>
        <source>No desk reports a refused change.</source>
        <translation>Ни одно рабочее место не сообщает об отклонённых изменениях.</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="491"/>
        <source>{desk} ({logins}): refused {count}, first {first}, last {last}</source>
        <translation>{desk} ({logins}): отклонено {count}, первое {first}, последнее {last}</translation>
    </message>
    <message>
        <location filename="../../app/cli.py" line="504"/>
        <source>Each desk keeps these changes and sends them again every few minutes and when it starts: fix the cause (migrate the database, correct the operator&apos;s rights) and they go through.</source>
        <translation>Каждое рабочее место хранит эти изменения и отправляет их снова каждые несколько минут и при запуске: устраните причину (выполните миграцию базы данных, исправьте права оператора), и они пройдут.</translation>
    </message>
    <message>
        <location filename="../../app/main.py" line="96"/>
        <source>There is no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). Start Frontline from the desktop session, or under xvfb-run to try it without one.</source>
        <translation>Нет экрана, на котором можно показать окно (не заданы ни DISPLAY, ни WAYLAND_DISPLAY). Запустите Frontline из сеанса рабочего стола или, чтобы попробовать без экрана, под xvfb-run.</translation>
    </message>
</context>
<context>
    <name>ConfigError</name>
    <message>
        <location filename="../../app/config.py" line="119"/>
        <source>The configuration file {path} does not exist.</source>
        <translation>Файла настроек {path} не существует.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="130"/>
        <source>site configuration</source>
        <translation>файл настроек</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="135"/>
        <source>{where}: not valid TOML ({detail}).</source>
        <translation>{where}: это некорректный TOML ({detail}).</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="149"/>
        <source>{where}: database.url contains a password. Remove it and store it with “frontline admin set-password” (it goes to the OS keyring).</source>
        <translation>{where}: в database.url указан пароль. Уберите его и сохраните пароль командой «frontline admin set-password» (он попадёт в хранилище ключей ОС).</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="160"/>
        <source>{where}: lines[{index}] needs a name.</source>
        <translation>{where}: у lines[{index}] должно быть имя (name).</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="167"/>
        <source>{where}: lines[{index}].numbers must be a list of strings.</source>
        <translation>{where}: lines[{index}].numbers должен быть списком строк.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="175"/>
        <source>{where}: the SIP password belongs in the OS keyring, not in the file. Remove it and store it with “frontline admin set-sip-password”.</source>
        <translation>{where}: паролю SIP место в хранилище ключей ОС, а не в файле. Уберите его и сохраните командой «frontline admin set-sip-password».</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="184"/>
        <source>{where}: unknown key(s) in [sip]: {keys}.</source>
        <translation>{where}: неизвестные ключи в [sip]: {keys}.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="192"/>
        <source>{where}: sip.transport must be udp, tcp or tls, not {value}.</source>
        <translation>{where}: sip.transport должен быть udp, tcp или tls, а не {value}.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="225"/>
        <source>{where}: sip.{key} must be a whole number of seconds from {low} to {high} (0 turns it off).</source>
        <translation>{where}: sip.{key} должно быть целым числом секунд от {low} до {high} (0 — выключено).</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="230"/>
        <source>{where}: sip.{key} must be a whole number of seconds from {low} to {high}.</source>
        <translation>{where}: sip.{key} должно быть целым числом секунд от {low} до {high}.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="240"/>
        <source>{where}: sip.register_refresh_s ({refresh}) must be shorter than sip.register_expires_s ({expires}), or the registration lapses between refreshes.</source>
        <translation>{where}: sip.register_refresh_s ({refresh}) должно быть меньше sip.register_expires_s ({expires}), иначе регистрация истекает между обновлениями.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="252"/>
        <source>{where}: sip.invite_rate_per_source must be a number from 0 (no limit) to 1000.</source>
        <translation>{where}: sip.invite_rate_per_source должно быть числом от 0 (без ограничения) до 1000.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="260"/>
        <source>{where}: sip.invite_burst_per_source must be a whole number from 1 to 1000.</source>
        <translation>{where}: sip.invite_burst_per_source должно быть целым числом от 1 до 1000.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="269"/>
        <source>{where}: site.wrap_up_seconds must be a whole number of seconds from 0 to 3600.</source>
        <translation>{where}: site.wrap_up_seconds должно быть целым числом секунд от 0 до 3600.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="281"/>
        <source>{where}: [{name}] must be a table.</source>
        <translation>{where}: [{name}] должна быть таблицей.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="291"/>
        <source>{where}: {key} must be a string.</source>
        <translation>{where}: {key} должен быть строкой.</translation>
    </message>
    <message>
        <location filename="../../app/config.py" line="302"/>
        <source>database.url {url} is not a database URL: write it as postgresql://LOGIN@HOST/DATABASE.</source>
        <translation>database.url {url} — не адрес базы данных: запишите его как postgresql://LOGIN@HOST/DATABASE.</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="180"/>
        <source>Ticket {number} was changed meanwhile</source>
        <translation>Заявка {number} изменена, пока вы её редактировали</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="184"/>
        <source>{who} saved ticket {number} while you were editing it. Nothing has been overwritten. Compare the values and choose.</source>
        <translation>{who} сохранил(а) заявку {number}, пока вы её редактировали. Ничего не перезаписано. Сравните значения и выберите.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="186"/>
        <source>Another operator</source>
        <translation>Другой оператор</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="192"/>
        <source>Field</source>
        <translation>Поле</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="192"/>
        <source>Yours</source>
        <translation>Ваше</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="192"/>
        <source>Theirs</source>
        <translation>Их</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="202"/>
        <source>&amp;Keep theirs (reload)</source>
        <translation>&amp;Оставить их версию (перезагрузить)</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="203"/>
        <source>&amp;Apply my changes on top</source>
        <translation>&amp;Применить мои изменения поверх</translation>
    </message>
</context>
<context>
    <name>CrashNotice</name>
    <message>
        <location filename="../../app/ui/crash_notice.py" line="23"/>
        <source>Frontline ran into an unexpected error. What you typed is kept.

A report for IT was written to:
{path}

If something on the screen looks wrong, save your ticket and restart Frontline.</source>
        <translation>Во Frontline произошла непредвиденная ошибка. Всё, что вы ввели, сохранено.

Отчёт для ИТ записан в файл:
{path}

Если на экране что-то выглядит неправильно, сохраните заявку и перезапустите Frontline.</translation>
    </message>
</context>
<context>
    <name>CustomerCardView</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="109"/>
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="111"/>
        <source>Contract:</source>
        <translation>Договор:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="112"/>
        <source>Phones:</source>
        <translation>Телефоны:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="113"/>
        <source>Address:</source>
        <translation>Адрес:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="114"/>
        <source>Region:</source>
        <translation>Регион:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="115"/>
        <source>Plan:</source>
        <translation>Тариф:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="116"/>
        <source>Notes:</source>
        <translation>Заметки:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="118"/>
        <location filename="../../app/ui/customer_card.py" line="121"/>
        <source>Ticket</source>
        <translation>Заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="118"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="118"/>
        <source>Created</source>
        <translation>Создана</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="118"/>
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="121"/>
        <source>When</source>
        <translation>Когда</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="121"/>
        <source>From</source>
        <translation>С номера</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="121"/>
        <source>Line</source>
        <translation>Линия</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="121"/>
        <source>Outcome</source>
        <translation>Итог</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="128"/>
        <source>Open tickets</source>
        <translation>Открытые заявки</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="129"/>
        <source>Recent calls</source>
        <translation>Последние звонки</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="140"/>
        <source>Search for a customer by phone number, contract number or name.</source>
        <translation>Найдите клиента по номеру телефона, номеру договора или имени.</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="170"/>
        <source>⚠ {text}</source>
        <translation>⚠ {text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="173"/>
        <source>Open tickets ({count})</source>
        <translation>Открытые заявки ({count})</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="174"/>
        <source>Recent calls ({count})</source>
        <translation>Последние звонки ({count})</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="197"/>
        <source>{status} — refused by the central database</source>
        <translation>{status} — отклонено центральной базой данных</translation>
    </message>
</context>
<context>
    <name>DatabaseError</name>
    <message>
        <location filename="../../app/storage/database.py" line="54"/>
        <source>The database URL is not valid: write it as postgresql://LOGIN@HOST/DATABASE or sqlite:///PATH.</source>
        <translation>Адрес базы данных некорректен: запишите его как postgresql://LOGIN@HOST/DATABASE или sqlite:///PATH.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="66"/>
        <source>Frontline cannot use a {kind} database: use postgresql:// or sqlite:///.</source>
        <translation>Frontline не работает с базами данных {kind}: используйте postgresql:// или sqlite:///.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="80"/>
        <source>the SQLite file {file}</source>
        <translation>SQLite (файл {file})</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="83"/>
        <source>the PostgreSQL database {name} on {server}</source>
        <translation>PostgreSQL «{name}» на сервере {server}</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="142"/>
        <source>The folder {folder} for the database file {file} does not exist. Create it first, or correct the path in the database URL: Frontline creates only its own data folder.</source>
        <translation>Папки {folder} для файла базы данных {file} не существует. Создайте её или исправьте путь в адресе базы данных: Frontline создаёт только свою папку данных.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="159"/>
        <source>Connecting to {database} was refused: its TLS certificate could not be verified. The host name in the database URL must be the one on the server&apos;s certificate, and sslrootcert the CA that signed it: call IT.</source>
        <translation>Подключение к базе данных {database} отклонено: её TLS-сертификат не удалось проверить. Имя хоста в адресе базы данных должно совпадать с именем в сертификате сервера, а sslrootcert — указывать на подписавший его центр сертификации: обратитесь в ИТ.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="169"/>
        <source>The password of {user} was refused by {database}. Store the right one on this desk with “frontline admin set-password --db URL”, or ask IT to reset it.</source>
        <translation>База данных {database} отклонила пароль пользователя {user}. Сохраните верный пароль на этом рабочем месте командой «frontline admin set-password --db URL» или попросите ИТ сбросить его.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="178"/>
        <source>No password of {user} for {database} is stored on this desk. Store it with “frontline admin set-password --db URL” (it goes to the OS keyring).</source>
        <translation>На этом рабочем месте не сохранён пароль пользователя {user} для базы данных {database}. Сохраните его командой «frontline admin set-password --db URL» (он попадёт в хранилище ключей ОС).</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="187"/>
        <source>There is no login {user} in {database}. Ask IT to add the operator (“frontline admin add-operator”), or correct the user name in the database URL.</source>
        <translation>В базе данных {database} нет логина {user}. Попросите ИТ добавить оператора («frontline admin add-operator») или исправьте имя пользователя в адресе базы данных.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="196"/>
        <source>The server {server} has no database {name}. Correct the database name in the URL, or ask IT to create the database (see docs/central-database.md).</source>
        <translation>На сервере {server} нет базы данных {name}. Исправьте имя базы данных в адресе или попросите ИТ создать её (см. docs/central-database.md).</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="205"/>
        <source>Connections from this computer as {user} are not allowed to {database} (pg_hba.conf). Ask IT to allow this desk.</source>
        <translation>База данных {database} не принимает подключения с этого компьютера от имени {user} (pg_hba.conf). Попросите ИТ открыть доступ этому рабочему месту.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="214"/>
        <source>The database URL requires TLS (sslmode), but {database} does not offer it. Ask IT to turn TLS on at the server.</source>
        <translation>Адрес базы данных требует TLS (sslmode), но база данных {database} его не поддерживает. Попросите ИТ включить TLS на сервере.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="223"/>
        <source>The database server {host} cannot be found on the network. Check the host name in the database URL; if it is right, this desk&apos;s network is down: call IT.</source>
        <translation>Сервер базы данных {host} не найден в сети. Проверьте имя хоста в адресе базы данных; если оно верное, на этом рабочем месте не работает сеть: обратитесь в ИТ.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="232"/>
        <source>The database URL has an option PostgreSQL does not accept ({option}). Correct or remove it (the options are libpq&apos;s, e.g. sslmode=verify-full).</source>
        <translation>В адресе базы данных есть параметр, который PostgreSQL не принимает ({option}). Исправьте или уберите его (параметры — как у libpq, например sslmode=verify-full).</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="240"/>
        <source>Frontline cannot reach {database} right now. Try again in a moment; if it lasts, check that the server is running and reachable from this desk, or call IT.</source>
        <translation>Frontline сейчас не может подключиться к базе данных {database}. Повторите попытку чуть позже; если это не проходит, проверьте, что сервер работает и доступен с этого рабочего места, или обратитесь в ИТ.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="245"/>
        <source>Another program is writing to {database}. Try again in a moment.</source>
        <translation>В базу данных {database} сейчас пишет другая программа. Повторите попытку чуть позже.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="248"/>
        <source>Frontline cannot open or write {database}. Check that it is a Frontline database, that the file and its folder belong to this user, and that the disk is not full.</source>
        <translation>Frontline не может открыть базу данных {database} или записать в неё. Проверьте, что это база данных Frontline, что файл и его папка принадлежат этому пользователю и что на диске есть место.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="253"/>
        <source>The login {user} is not allowed to do this in {database} (permission denied). Use a login with the right role (see docs/central-database.md), or ask IT.</source>
        <translation>Логину {user} это не разрешено в базе данных {database} (нет прав). Воспользуйтесь логином с нужной ролью (см. docs/central-database.md) или обратитесь в ИТ.</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="258"/>
        <source>There are no Frontline tables in {database} yet. Create them with “frontline admin migrate --db URL” (IT, as the database owner).</source>
        <translation>В базе данных {database} ещё нет таблиц Frontline. Создайте их командой «frontline admin migrate --db URL» (это делает ИТ от имени владельца базы данных).</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="263"/>
        <source>The schema of {database} is at version {current}, and this Frontline needs {head}. Bring it up to date with “frontline admin migrate --db URL” (IT, as the database owner).</source>
        <translation>Схема базы данных {database} — версии {current}, а этому Frontline нужна версия {head}. Обновите её командой «frontline admin migrate --db URL» (это делает ИТ от имени владельца базы данных).</translation>
    </message>
    <message>
        <location filename="../../app/storage/database.py" line="268"/>
        <source>The schema of {database} was upgraded by a newer Frontline (version {current}). Update Frontline on this desk.</source>
        <translation>Схему базы данных {database} обновил более новый Frontline (версия {current}). Обновите Frontline на этом рабочем месте.</translation>
    </message>
</context>
<context>
    <name>DemoData</name>
    <message>
        <location filename="../../app/demo/data.py" line="452"/>
        <source>Ask for at least one demo customer (you asked for {count}), e.g. --customers 2000.</source>
        <translation>Нужен хотя бы один демонстрационный клиент (указано {count}), например --customers 2000.</translation>
    </message>
    <message>
        <location filename="../../app/demo/data.py" line="470"/>
        <source>The database already has {count} customers. Add demo customers after them with --append, or use an empty database.</source>
        <translation>В базе данных уже есть клиенты ({count}). Добавьте демонстрационных клиентов после них с --append или возьмите пустую базу данных.</translation>
    </message>
</context>
<context>
    <name>DemoMenu</name>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="42"/>
        <source>&amp;Demo</source>
        <translation>&amp;Демо</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="44"/>
        <source>Call from a &amp;known customer</source>
        <translation>Звонок от &amp;известного клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="45"/>
        <source>Call from an &amp;unknown number</source>
        <translation>Звонок с &amp;неизвестного номера</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="46"/>
        <source>Call &amp;anonymously</source>
        <translation>&amp;Анонимный звонок</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="47"/>
        <source>Call every 90 &amp;seconds</source>
        <translation>Звонить каждые 90 &amp;секунд</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="96"/>
        <source>Demo caller: {error}</source>
        <translation>Демо-абонент: {error}</translation>
    </message>
</context>
<context>
    <name>DispositionPicker</name>
    <message>
        <location filename="../../app/ui/disposition_picker.py" line="50"/>
        <source>&amp;Disposition…</source>
        <translation>&amp;Итог звонка…</translation>
    </message>
    <message>
        <location filename="../../app/ui/disposition_picker.py" line="52"/>
        <source>Disposition (F10)</source>
        <translation>Итог звонка (F10)</translation>
    </message>
    <message>
        <location filename="../../app/ui/disposition_picker.py" line="87"/>
        <source>No dispositions are set up for this line.</source>
        <translation>Для этой линии итоги звонков не настроены.</translation>
    </message>
    <message>
        <location filename="../../app/ui/disposition_picker.py" line="94"/>
        <source>Available once a call is answered.</source>
        <translation>Доступно после ответа на звонок.</translation>
    </message>
    <message>
        <location filename="../../app/ui/disposition_picker.py" line="106"/>
        <source>Not chosen yet: F10, then a digit.</source>
        <translation>Ещё не выбран: F10, затем цифра.</translation>
    </message>
    <message>
        <location filename="../../app/ui/disposition_picker.py" line="108"/>
        <source>Chosen: {label}</source>
        <translation>Выбран: {label}</translation>
    </message>
</context>
<context>
    <name>DraftKeeper</name>
    <message>
        <location filename="../../app/ui/draft_keeper.py" line="205"/>
        <source>Reopened what you had not saved: {numbers}.</source>
        <translation>Снова открыто то, что вы не сохранили: {numbers}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/draft_keeper.py" line="210"/>
        <source>Unsaved typing of {numbers} is kept on this computer; it reopens once the ticket can be read.</source>
        <translation>Несохранённый текст заявок {numbers} хранится на этом компьютере; он откроется, как только заявку можно будет прочитать.</translation>
    </message>
    <message>
        <location filename="../../app/ui/draft_keeper.py" line="234"/>
        <source>Your typing could not be kept on this computer: {error}. Save the ticket.</source>
        <translation>Введённый текст не удалось сохранить на этом компьютере: {error}. Сохраните заявку.</translation>
    </message>
</context>
<context>
    <name>DueDateEdit</name>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="123"/>
        <source>No date</source>
        <translation>Без срока</translation>
    </message>
</context>
<context>
    <name>IncomingBanner</name>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="106"/>
        <source>No call</source>
        <translation>Нет звонка</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="114"/>
        <source>On the line</source>
        <translation>На линии</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="119"/>
        <source>Anonymous caller</source>
        <translation>Номер скрыт</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="122"/>
        <source>Call waiting</source>
        <translation>Второй звонок</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="122"/>
        <source>Incoming call</source>
        <translation>Входящий звонок</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="130"/>
        <source>Line: {line}</source>
        <translation>Линия: {line}</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="130"/>
        <source>Line: unknown</source>
        <translation>Линия: неизвестна</translation>
    </message>
</context>
<context>
    <name>KeyringError</name>
    <message>
        <location filename="../../app/secrets.py" line="45"/>
        <source>No secure OS keyring is available (backend: {backend}). On Linux install and unlock a Secret Service (GNOME Keyring or KWallet).</source>
        <translation>Нет безопасного хранилища ключей ОС (используется {backend}). В Linux установите и разблокируйте Secret Service (GNOME Keyring или KWallet).</translation>
    </message>
    <message>
        <location filename="../../app/secrets.py" line="69"/>
        <source>The OS keyring refused to store the password ({reason}). Unlock it and try again.</source>
        <translation>Хранилище ключей ОС не сохранило пароль ({reason}). Разблокируйте его и повторите попытку.</translation>
    </message>
</context>
<context>
    <name>LiveUpdates</name>
    <message>
        <location filename="../../app/ui/live_updates.py" line="144"/>
        <source>Ticket {number} was changed on another desk. Your typing is kept; saving shows both versions.</source>
        <translation>Заявку {number} изменили на другом рабочем месте. Введённое вами сохранено; при сохранении будут показаны обе версии.</translation>
    </message>
    <message>
        <location filename="../../app/ui/live_updates.py" line="174"/>
        <source>The central database refused ticket {number} ({error}). It is kept on this desk, marked, and sent again every few minutes; IT sees it. Carry on.</source>
        <translation>Центральная база данных отклонила заявку {number} ({error}). Она сохранена на этом рабочем месте, отмечена и будет отправлена снова через несколько минут; ИТ это видит. Продолжайте работу.</translation>
    </message>
    <message>
        <location filename="../../app/ui/live_updates.py" line="179"/>
        <source>The central database refused a change of this desk ({error}). It is kept here and sent again every few minutes; IT sees it. Carry on.</source>
        <translation>Центральная база данных отклонила изменение с этого рабочего места ({error}). Оно сохранено здесь и будет отправлено снова через несколько минут; ИТ это видит. Продолжайте работу.</translation>
    </message>
    <message>
        <location filename="../../app/ui/live_updates.py" line="197"/>
        <source>No conflicts to review.</source>
        <translation>Конфликтов нет.</translation>
    </message>
    <message>
        <location filename="../../app/ui/live_updates.py" line="206"/>
        <source>Ticket {number} was saved on another desk before yours reached the central database. Press Ctrl+Shift+K to compare when you are ready.</source>
        <translation>Заявку {number} сохранили на другом рабочем месте раньше, чем ваше сохранение дошло до центральной базы. Нажмите Ctrl+Shift+K, чтобы сравнить, когда будете готовы.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="118"/>
        <source>Frontline — {company}</source>
        <translation>Frontline — {company}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="135"/>
        <source>Database: checking…</source>
        <translation>База данных: проверка…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="164"/>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="165"/>
        <source>&amp;Quit</source>
        <translation>В&amp;ыход</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="174"/>
        <source>&amp;Customer</source>
        <translation>&amp;Клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="176"/>
        <source>&amp;Find customer</source>
        <translation>&amp;Найти клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="184"/>
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="185"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="190"/>
        <source>&amp;About Frontline</source>
        <translation>&amp;О программе Frontline</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="203"/>
        <location filename="../../app/ui/main_window.py" line="205"/>
        <source>Find customer</source>
        <translation>Найти клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="206"/>
        <source>Down</source>
        <translation>Вниз</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="206"/>
        <source>From the search box into the results</source>
        <translation>Из поиска в результаты</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="207"/>
        <source>Up / Down</source>
        <translation>Вверх / Вниз</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="207"/>
        <source>Move through the results</source>
        <translation>Перемещение по результатам</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="208"/>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="208"/>
        <source>Open the highlighted customer</source>
        <translation>Открыть выделенного клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="209"/>
        <source>This help</source>
        <translation>Эта справка</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="210"/>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="224"/>
        <source>About Frontline</source>
        <translation>О программе Frontline</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="225"/>
        <source>Frontline {version}
The operator workstation.</source>
        <translation>Frontline {version}
Рабочее место оператора.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="246"/>
        <source>Review &amp;conflicts with other desks</source>
        <translation>&amp;Конфликты с другими рабочими местами</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="281"/>
        <source>Database: {backend} ({location})</source>
        <translation>База данных: {backend} ({location})</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="285"/>
        <source>Database unavailable: {error} — retrying</source>
        <translation>База данных недоступна: {error} — повторяем попытки</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="415"/>
        <source>Ca&amp;ll</source>
        <translation>&amp;Звонок</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="420"/>
        <source>&amp;Sound devices…</source>
        <translation>&amp;Звуковые устройства…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="424"/>
        <source>&amp;New customer…</source>
        <translation>&amp;Новый клиент…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="428"/>
        <source>T&amp;icket</source>
        <translation>З&amp;аявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="431"/>
        <source>&amp;State</source>
        <translation>&amp;Статус</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="494"/>
        <source>Operator “{login}” is not in the database: scripts will not name you.</source>
        <translation>Оператора «{login}» нет в базе данных: скрипты не назовут ваше имя.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="573"/>
        <source>My &amp;unfinished tickets…</source>
        <translation>Мои &amp;незавершённые заявки…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="599"/>
        <source>Sound devices change between calls: finish this call first.</source>
        <translation>Звуковые устройства меняются между звонками: сначала завершите этот звонок.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="622"/>
        <source>Sound devices saved: used from the next start.</source>
        <translation>Звуковые устройства сохранены: будут использованы при следующем запуске.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="626"/>
        <source>Sound devices saved; the softphone uses them now.</source>
        <translation>Звуковые устройства сохранены; софтфон уже использует их.</translation>
    </message>
</context>
<context>
    <name>NewCustomerForm</name>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="86"/>
        <source>New customer</source>
        <translation>Новый клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="92"/>
        <source>No customer has this number yet. Only the phone number is required.</source>
        <translation>С этим номером клиентов ещё нет. Обязателен только номер телефона.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="96"/>
        <source>If the caller does not say, the number is used</source>
        <translation>Если абонент не представился, будет указан номер</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="110"/>
        <source>&amp;Name:</source>
        <translation>&amp;Имя:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="111"/>
        <source>&amp;Phone:</source>
        <translation>Теле&amp;фон:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="112"/>
        <source>A&amp;ddress:</source>
        <translation>А&amp;дрес:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="113"/>
        <source>Re&amp;gion:</source>
        <translation>Р&amp;егион:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="114"/>
        <source>No&amp;tes:</source>
        <translation>За&amp;метки:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="136"/>
        <source>&amp;Create customer</source>
        <translation>&amp;Создать клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="147"/>
        <source>Create customer ({keys})</source>
        <translation>Создать клиента ({keys})</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="173"/>
        <source>Name</source>
        <translation>Имя</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="174"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="175"/>
        <source>Address</source>
        <translation>Адрес</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="176"/>
        <source>Region</source>
        <translation>Регион</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="177"/>
        <source>Notes</source>
        <translation>Заметки</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="217"/>
        <source>Creating the customer…</source>
        <translation>Создаём клиента…</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="235"/>
        <source>Customer {contract} was created but cannot be shown right now: {error} Search for {contract} in a moment; do not create it again.</source>
        <translation>Клиент {contract} создан, но показать его сейчас нельзя: {error} Найдите {contract} чуть позже; не создавайте его повторно.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="243"/>
        <source>Not created: {error} Everything you typed is still here; try again in a moment.</source>
        <translation>Не создано: {error} Всё введённое осталось в форме; попробуйте ещё раз чуть позже.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="248"/>
        <location filename="../../app/ui/new_customer_form.py" line="266"/>
        <source>Not created: {error}</source>
        <translation>Не создано: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="256"/>
        <source>Customer {contract} created: {name}.</source>
        <translation>Клиент {contract} создан: {name}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="275"/>
        <source>“{phone}” is not a phone number: type it with the area code, e.g. +7 912 345-67-89.</source>
        <translation>«{phone}» — не номер телефона: введите его с кодом, например +7 912 345-67-89.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="279"/>
        <source>Type the caller&apos;s phone number: a new customer needs one.</source>
        <translation>Введите номер телефона абонента: без него клиента не создать.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="283"/>
        <source>Too long to store: {fields}.</source>
        <translation>Слишком длинно для сохранения: {fields}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="297"/>
        <source>Check this field</source>
        <translation>Проверьте это поле</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="328"/>
        <source>Something went wrong: {error}</source>
        <translation>Что-то пошло не так: {error}</translation>
    </message>
</context>
<context>
    <name>NotReadyReason</name>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="31"/>
        <source>Training</source>
        <translation>Обучение</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="32"/>
        <source>Meeting</source>
        <translation>Совещание</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="33"/>
        <source>Technical problem</source>
        <translation>Техническая проблема</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="34"/>
        <source>Callbacks</source>
        <translation>Обратные звонки</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="35"/>
        <source>Other</source>
        <translation>Другое</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="36"/>
        <source>just signed in</source>
        <translation>только что вошёл</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="37"/>
        <source>Phone offline — calls can&apos;t reach you</source>
        <translation>Телефон не в сети — звонки до вас не доходят</translation>
    </message>
</context>
<context>
    <name>OperatorStateActions</name>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="53"/>
        <source>&amp;Ready</source>
        <translation>&amp;Готов</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="54"/>
        <source>&amp;Not ready…</source>
        <translation>&amp;Не готов…</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="55"/>
        <source>&amp;Break</source>
        <translation>&amp;Перерыв</translation>
    </message>
</context>
<context>
    <name>OperatorStateWidget</name>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="100"/>
        <source>{status}: {reason}</source>
        <translation>{status}: {reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="103"/>
        <source>{status} ({seconds} s left)</source>
        <translation>{status} (осталось {seconds} с)</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="117"/>
        <source>Not ready</source>
        <translation>Не готов</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="118"/>
        <source>Why are you not ready?</source>
        <translation>Почему вы не готовы?</translation>
    </message>
</context>
<context>
    <name>OperatorStatus</name>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="18"/>
        <source>Ready</source>
        <translation>Готов</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="19"/>
        <source>Not ready</source>
        <translation>Не готов</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="20"/>
        <source>Break</source>
        <translation>Перерыв</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="21"/>
        <source>On call</source>
        <translation>Разговор</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="22"/>
        <source>Wrap-up</source>
        <translation>Обработка</translation>
    </message>
</context>
<context>
    <name>Outcome</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="68"/>
        <source>in progress</source>
        <translation>идёт</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="70"/>
        <source>Answered</source>
        <translation>Принят</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="71"/>
        <source>Missed</source>
        <translation>Пропущен</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="72"/>
        <source>Abandoned</source>
        <translation>Брошен</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="73"/>
        <source>Transferred</source>
        <translation>Переведён</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="74"/>
        <source>Rejected</source>
        <translation>Отклонён</translation>
    </message>
</context>
<context>
    <name>PhoneActions</name>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="47"/>
        <source>&amp;Answer</source>
        <translation>&amp;Ответить</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="48"/>
        <source>&amp;Reject (busy)</source>
        <translation>Откл&amp;онить (занято)</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="49"/>
        <source>&amp;Hang up</source>
        <translation>&amp;Завершить</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="50"/>
        <source>H&amp;old / resume</source>
        <translation>&amp;Удержание / возврат</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="51"/>
        <source>&amp;Mute</source>
        <translation>&amp;Микрофон выкл.</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="52"/>
        <source>&amp;Transfer…</source>
        <translation>&amp;Перевести…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="53"/>
        <source>&amp;Goodbye words</source>
        <translation>&amp;Прощание</translation>
    </message>
</context>
<context>
    <name>QuitGuard</name>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="33"/>
        <source>an anonymous caller</source>
        <translation>скрытого номера</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="36"/>
        <source>The call with {number} is hung up.</source>
        <translation>Разговор с {number} будет прерван.</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="39"/>
        <source>The call ringing from {number} is not answered.</source>
        <translation>Звонок с {number} останется без ответа.</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="51"/>
        <source>What you chose for the call&apos;s ticket ({fields}) is lost.</source>
        <translation>Выбранное для заявки звонка ({fields}) будет потеряно.</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="57"/>
        <source>Ticket {number}: {fields} not saved to the database (kept on this computer and reopened at the next start).</source>
        <translation>Заявка {number}: {fields} — не сохранено в базе данных (хранится на этом компьютере и откроется при следующем запуске).</translation>
    </message>
</context>
<context>
    <name>QuitQuestion</name>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="75"/>
        <source>Quit Frontline?</source>
        <translation>Выйти из Frontline?</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="77"/>
        <source>If you quit now:</source>
        <translation>Если выйти сейчас:</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="81"/>
        <source>&amp;Quit anyway</source>
        <translation>&amp;Всё равно выйти</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="84"/>
        <source>&amp;Keep working</source>
        <translation>&amp;Продолжить работу</translation>
    </message>
</context>
<context>
    <name>ScriptsPanel</name>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="118"/>
        <source>Script</source>
        <translation>Скрипт</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="119"/>
        <source>The words to say appear here when a call is answered.</source>
        <translation>Здесь появится текст для разговора, когда вы ответите на звонок.</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="141"/>
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="142"/>
        <source>Minutes to promise on hold</source>
        <translation>Сколько минут обещать на удержании</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="143"/>
        <source>Hold &amp;minutes:</source>
        <translation>Минуты ожидания (&amp;M):</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="146"/>
        <source>Copy script</source>
        <translation>Копировать текст</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="148"/>
        <source>Copy the words on screen to the clipboard</source>
        <translation>Скопировать текст с экрана в буфер обмена</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="260"/>
        <source>Promised wait is over by {overdue} — go back to the caller</source>
        <translation>Обещанное время ожидания превышено на {overdue} — вернитесь к абоненту</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="264"/>
        <source>On hold: {remaining} left of the {minutes} min promised</source>
        <translation>Удержание: осталось {remaining} из обещанных {minutes} мин</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="314"/>
        <source>No scripts are loaded for this line.</source>
        <translation>Для этой линии скрипты не загружены.</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="328"/>
        <source>No call</source>
        <translation>Нет звонка</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="329"/>
        <source>Greeting</source>
        <translation>Приветствие</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="330"/>
        <source>On hold</source>
        <translation>Удержание</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="331"/>
        <source>Back from hold</source>
        <translation>Возврат с удержания</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="332"/>
        <source>Transfer</source>
        <translation>Перевод</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="333"/>
        <source>Closing</source>
        <translation>Завершение</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../app/ui/search_panel.py" line="47"/>
        <source>Phone, contract number or name</source>
        <translation>Телефон, номер договора или имя</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="48"/>
        <source>Customer search</source>
        <translation>Поиск клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="51"/>
        <source>Search results</source>
        <translation>Результаты поиска</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="121"/>
        <source>Searching…</source>
        <translation>Поиск…</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="159"/>
        <source>No customer found for “{query}”.</source>
        <translation>По запросу «{query}» клиентов не найдено.</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="160"/>
        <source>{count} customer(s) found.</source>
        <translation>Найдено клиентов: {count}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="137"/>
        <location filename="../../app/ui/search_panel.py" line="173"/>
        <source>Search failed: {error}</source>
        <translation>Ошибка поиска: {error}</translation>
    </message>
</context>
<context>
    <name>ShortcutHelp</name>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="20"/>
        <source>Keyboard shortcuts</source>
        <translation>Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="22"/>
        <source>Keys</source>
        <translation>Клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="22"/>
        <source>Action</source>
        <translation>Действие</translation>
    </message>
</context>
<context>
    <name>SoftphonePanel</name>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="152"/>
        <source>No call</source>
        <translation>Нет звонка</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="163"/>
        <source>Phone: starting…</source>
        <translation>Телефон: запуск…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="167"/>
        <source>Transfer to (extension or SIP address)</source>
        <translation>Перевести на (внутренний номер или SIP-адрес)</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="210"/>
        <source>Ringing</source>
        <translation>Звонит</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="219"/>
        <source>Calling…</source>
        <translation>Вызов…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="233"/>
        <source>On hold</source>
        <translation>На удержании</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="233"/>
        <source>Talking</source>
        <translation>Разговор</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="249"/>
        <source>Call ended</source>
        <translation>Звонок завершён</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="254"/>
        <source>Phone: registered</source>
        <translation>Телефон: зарегистрирован</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="255"/>
        <source>Phone: ready (direct)</source>
        <translation>Телефон: готов (напрямую)</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="256"/>
        <source>Phone offline: not registered</source>
        <translation>Телефон не в сети: нет регистрации</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="257"/>
        <source>Phone offline: registering…</source>
        <translation>Телефон не в сети: регистрация…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="260"/>
        <source>Phone offline: {reason}</source>
        <translation>Телефон не в сети: {reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="268"/>
        <source>Phone: engine stopped ({why}), restarting…</source>
        <translation>Телефон: движок остановлен ({why}), перезапуск…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="273"/>
        <source>Line: {line}</source>
        <translation>Линия: {line}</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="313"/>
        <source>Talk {time}</source>
        <translation>Разговор {time}</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="316"/>
        <source>Hold {time}</source>
        <translation>Удержание {time}</translation>
    </message>
</context>
<context>
    <name>StartError</name>
    <message>
        <location filename="../../app/main.py" line="305"/>
        <source>This desk has no copy of the central database yet, and the first copy needs it: {why}</source>
        <translation>На этом рабочем месте ещё нет копии центральной базы данных, а для первой копии она нужна: {why}</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="57"/>
        <source>New</source>
        <translation>Новая</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="58"/>
        <source>In progress</source>
        <translation>В работе</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="59"/>
        <source>Escalated</source>
        <translation>Передана дальше</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="60"/>
        <source>Waiting for customer</source>
        <translation>Ожидает клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="61"/>
        <source>Resolved</source>
        <translation>Решена</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="62"/>
        <source>Closed</source>
        <translation>Закрыта</translation>
    </message>
</context>
<context>
    <name>SyncStatusLabel</name>
    <message>
        <location filename="../../app/ui/sync_status.py" line="51"/>
        <source>Central database: offline — changes waiting: {count}</source>
        <translation>Центральная база недоступна — ждут отправки: {count}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="53"/>
        <source>Everything is kept on this desk and sent when the central database is back. {error}</source>
        <translation>Всё хранится на этом рабочем месте и будет отправлено, когда центральная база станет доступна. {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="56"/>
        <source>Central database: catching up {done}/{total}</source>
        <translation>Центральная база: отправка {done}/{total}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="59"/>
        <source>Sending what was saved while the central database was away.</source>
        <translation>Отправляем то, что было сохранено, пока центральная база была недоступна.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="61"/>
        <source>Central database: online</source>
        <translation>Центральная база: на связи</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="64"/>
        <source>conflicts to review (Ctrl+Shift+K): {count}</source>
        <translation>конфликтов для просмотра (Ctrl+Shift+K): {count}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="68"/>
        <source>refused by the central database: {count} — call IT</source>
        <translation>отклонено центральной базой: {count} — позвоните в ИТ</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="72"/>
        <source>The central database refused some changes. They are kept on this desk, marked on their tickets and sent again every few minutes; IT sees them with `frontline admin sync-status`.</source>
        <translation>Центральная база данных отклонила некоторые изменения. Они сохранены на этом рабочем месте, отмечены на своих заявках и отправляются повторно каждые несколько минут; ИТ видит их командой `frontline admin sync-status`.</translation>
    </message>
</context>
<context>
    <name>TicketField</name>
    <message>
        <location filename="../../app/ui/field_labels.py" line="20"/>
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="21"/>
        <source>Line</source>
        <translation>Линия</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="22"/>
        <source>Category</source>
        <translation>Категория</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="23"/>
        <source>Complexity</source>
        <translation>Сложность</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="24"/>
        <source>Priority</source>
        <translation>Приоритет</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="25"/>
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="26"/>
        <source>Description</source>
        <translation>Описание</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="27"/>
        <source>Resolution</source>
        <translation>Решение</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="28"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="29"/>
        <source>Department</source>
        <translation>Отдел</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="30"/>
        <source>Assignee</source>
        <translation>Исполнитель</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="31"/>
        <source>Due date</source>
        <translation>Срок</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="38"/>
        <source>C&amp;ustomer:</source>
        <translation>&amp;Клиент:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="39"/>
        <source>&amp;Line:</source>
        <translation>&amp;Линия:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="40"/>
        <source>&amp;Category:</source>
        <translation>Кате&amp;гория:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="41"/>
        <source>Comple&amp;xity:</source>
        <translation>Сло&amp;жность:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="42"/>
        <source>&amp;Priority:</source>
        <translation>&amp;Приоритет:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="43"/>
        <source>Su&amp;bject:</source>
        <translation>&amp;Тема:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="44"/>
        <source>&amp;Description:</source>
        <translation>&amp;Описание:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="45"/>
        <source>&amp;Resolution:</source>
        <translation>&amp;Решение:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="46"/>
        <source>S&amp;tatus:</source>
        <translation>&amp;Статус:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="47"/>
        <source>Dep&amp;artment:</source>
        <translation>Отд&amp;ел:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="48"/>
        <source>Assi&amp;gnee:</source>
        <translation>&amp;Исполнитель:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="49"/>
        <source>Due dat&amp;e:</source>
        <translation>Срок &amp;выполнения:</translation>
    </message>
</context>
<context>
    <name>TicketForm</name>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="286"/>
        <source>Ticket number</source>
        <translation>Номер заявки</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="342"/>
        <source>&amp;Insert answer</source>
        <translation>Вст&amp;авить ответ</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="350"/>
        <location filename="../../app/ui/ticket_form.py" line="409"/>
        <source>Comments</source>
        <translation>Комментарии</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="354"/>
        <source>Ctrl+Enter adds the comment</source>
        <translation>Ctrl+Enter добавляет комментарий</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="355"/>
        <source>Ne&amp;w comment:</source>
        <translation>&amp;Новый комментарий:</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="357"/>
        <source>Add co&amp;mment</source>
        <translation>&amp;Добавить комментарий</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="361"/>
        <source>&amp;Save ticket</source>
        <translation>Со&amp;хранить заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="364"/>
        <source>Cl&amp;ose ticket</source>
        <translation>&amp;Закрыть заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="388"/>
        <source>Ticket</source>
        <translation>Заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="554"/>
        <source>Not in the central database: it refused this ticket&apos;s change ({error}). Everything is kept on this desk and sent again every few minutes; IT sees it.</source>
        <translation>Не в центральной базе данных: она отклонила изменение этой заявки ({error}). Всё сохранено на этом рабочем месте и будет отправлено снова через несколько минут; ИТ это видит.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="602"/>
        <location filename="../../app/ui/ticket_form.py" line="628"/>
        <source>No ticket is open.</source>
        <translation>Заявка не открыта.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="605"/>
        <source>Type the comment first.</source>
        <translation>Сначала введите комментарий.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="612"/>
        <source>The comment was not added: {error}</source>
        <translation>Комментарий не добавлен: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="621"/>
        <source>Comment added.</source>
        <translation>Комментарий добавлен.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="635"/>
        <source>Saving…</source>
        <translation>Сохранение…</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="644"/>
        <source>Ticket {number} closed.</source>
        <translation>Заявка {number} закрыта.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="647"/>
        <source>Ticket {number} saved.</source>
        <translation>Заявка {number} сохранена.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="657"/>
        <source>A ticket cannot go from {old} to {new}. Possible: {choices}.</source>
        <translation>Заявку нельзя перевести из «{old}» в «{new}». Возможно: {choices}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="686"/>
        <source>Not saved: {error} Everything you typed is still here; save again in a moment.</source>
        <translation>Не сохранено: {error} Всё введённое осталось в форме; сохраните ещё раз чуть позже.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="721"/>
        <source>Ticket {number} was changed by someone else meanwhile: nothing was saved.</source>
        <translation>Заявку {number} тем временем изменил другой оператор: ничего не сохранено.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="736"/>
        <source>Ticket {number} was saved on another desk before your save reached the central database.</source>
        <translation>Заявку {number} сохранили на другом рабочем месте раньше, чем ваше сохранение дошло до центральной базы.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="754"/>
        <source>Reloaded the ticket as the other operator saved it.</source>
        <translation>Заявка перезагружена в том виде, в каком её сохранил другой оператор.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="811"/>
        <source>Fill in {fields} to {action}.</source>
        <translation>Заполните поля {fields}, чтобы {action}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="824"/>
        <source>Required: fill this in</source>
        <translation>Обязательное поле: заполните его</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="864"/>
        <source>Customer no. {id}</source>
        <translation>Клиент № {id}</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="892"/>
        <source>(unknown: {id})</source>
        <translation>(неизвестно: {id})</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="921"/>
        <source>{author}, {when}</source>
        <translation>{author}, {when}</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="922"/>
        <source>unknown</source>
        <translation>неизвестно</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="986"/>
        <source>Something went wrong: {error}</source>
        <translation>Что-то пошло не так: {error}</translation>
    </message>
</context>
<context>
    <name>TicketTabs</name>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="65"/>
        <source>Ne&amp;xt open ticket</source>
        <translation>С&amp;ледующая открытая заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="67"/>
        <source>Pre&amp;vious open ticket</source>
        <translation>П&amp;редыдущая открытая заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="69"/>
        <source>&amp;Put the ticket aside</source>
        <translation>&amp;Отложить заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="219"/>
        <source>New ticket</source>
        <translation>Новая заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="225"/>
        <source>Refused by the central database: {error}</source>
        <translation>Отклонено центральной базой данных: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="228"/>
        <source>Not saved yet</source>
        <translation>Ещё не сохранено</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="233"/>
        <source>Still missing: {fields}</source>
        <translation>Не заполнено: {fields}</translation>
    </message>
</context>
<context>
    <name>TicketTransition</name>
    <message>
        <location filename="../../app/ui/field_labels.py" line="56"/>
        <source>save a new ticket</source>
        <translation>сохранить новую заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="57"/>
        <source>save the ticket</source>
        <translation>сохранить заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="58"/>
        <source>take the ticket into work</source>
        <translation>взять заявку в работу</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="59"/>
        <source>pass the ticket to another department</source>
        <translation>передать заявку в другой отдел</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="62"/>
        <source>wait for the customer</source>
        <translation>перевести заявку в ожидание клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="63"/>
        <source>resolve the ticket</source>
        <translation>отметить заявку как решённую</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="64"/>
        <source>close the ticket</source>
        <translation>закрыть заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="65"/>
        <source>reopen the ticket</source>
        <translation>открыть заявку заново</translation>
    </message>
</context>
<context>
    <name>UnfinishedDialog</name>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="170"/>
        <source>My unfinished tickets</source>
        <translation>Мои незавершённые заявки</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="173"/>
        <source>Tickets not saved, or saved without what they need. Enter opens the highlighted one.</source>
        <translation>Заявки, которые не сохранены или сохранены без обязательных полей. Enter открывает выделенную.</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="175"/>
        <source>Nothing unfinished.</source>
        <translation>Незавершённых заявок нет.</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="198"/>
        <source>(no subject)</source>
        <translation>(без темы)</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="201"/>
        <source>not saved</source>
        <translation>не сохранено</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="204"/>
        <source>missing: {fields}</source>
        <translation>не заполнено: {fields}</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="207"/>
        <source>refused by the central database: {error}</source>
        <translation>отклонено центральной базой данных: {error}</translation>
    </message>
</context>
<context>
    <name>UnfinishedLabel</name>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="157"/>
        <source>Unfinished tickets: {count} (F2)</source>
        <translation>Незавершённых заявок: {count} (F2)</translation>
    </message>
</context>
</TS>
