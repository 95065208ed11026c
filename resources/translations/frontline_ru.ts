<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ru_RU">
<context>
    <name>AudioNotice</name>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="15" />
        <source>headset microphone</source>
        <translation>микрофон гарнитуры</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="16" />
        <source>headset</source>
        <translation>гарнитура</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="17" />
        <source>ringing device</source>
        <translation>устройство звонка</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="19" />
        <source>the default device</source>
        <translation>устройство по умолчанию</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="20" />
        <source>none</source>
        <translation>нет</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="22" />
        <source>The {device} ({wanted}) is gone: using {using} until it is back. The call goes on.</source>
        <translation>Устройство «{device}» ({wanted}) отключено: пока используется {using}. Звонок продолжается.</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="27" />
        <source>The {device} ({wanted}) is back and in use.</source>
        <translation>Устройство «{device}» ({wanted}) снова подключено и используется.</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="31" />
        <source>No {device} is available: plug one in. The call goes on.</source>
        <translation>Нет доступного устройства «{device}»: подключите его. Звонок продолжается.</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_notices.py" line="34" />
        <source>The {device} stopped and was restarted ({using}).</source>
        <translation>Устройство «{device}» остановилось и было перезапущено ({using}).</translation>
    </message>
</context>
<context>
    <name>AudioSettingsDialog</name>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="24" />
        <source>Sound devices</source>
        <translation>Звуковые устройства</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="27" />
        <source>The ringtone plays on the ringing device (e.g. the desk speaker) while the headset stays quiet. The softphone restarts to use the new devices.</source>
        <translation>Звонок звучит на устройстве звонка (например, на колонке на столе), а гарнитура молчит. Софтфон перезапустится, чтобы использовать новые устройства.</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="37" />
        <source>Headset &amp;microphone:</source>
        <translation>&amp;Микрофон гарнитуры:</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="38" />
        <source>&amp;Headset:</source>
        <translation>&amp;Гарнитура:</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="39" />
        <source>&amp;Ringing device:</source>
        <translation>&amp;Устройство звонка:</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="43" />
        <source>Sound devices cannot be listed: {error}</source>
        <translation>Не удаётся получить список звуковых устройств: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="59" />
        <source>System default</source>
        <translation>Системное по умолчанию</translation>
    </message>
    <message>
        <location filename="../../app/ui/audio_settings.py" line="63" />
        <source>{name} (not connected)</source>
        <translation>{name} (не подключено)</translation>
    </message>
</context>
<context>
    <name>CallDesk</name>
    <message>
        <location filename="../../app/ui/call_desk.py" line="238" />
        <source>Anonymous caller: nothing to look up.</source>
        <translation>Номер скрыт: искать нечего.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="266" />
        <source>{count} customers share this number: pick the caller and press Enter.</source>
        <translation>Этот номер у нескольких клиентов ({count}): выберите звонящего и нажмите Enter.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="346" />
        <source>The softphone stopped ({why}); restarting it. Your ticket is kept.</source>
        <translation>Софтфон остановился ({why}); перезапускаем. Ваша заявка сохранена.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="361" />
        <source>The softphone is back.</source>
        <translation>Софтфон снова работает.</translation>
    </message>
    <message>
        <location filename="../../app/ui/call_desk.py" line="545" />
        <source>Something went wrong: {error}</source>
        <translation>Что-то пошло не так: {error}</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="179" />
        <source>Ticket {number} was changed meanwhile</source>
        <translation>Заявка {number} изменена, пока вы её редактировали</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="183" />
        <source>{who} saved ticket {number} while you were editing it. Nothing has been overwritten. Compare the values and choose.</source>
        <translation>{who} сохранил(а) заявку {number}, пока вы её редактировали. Ничего не перезаписано. Сравните значения и выберите.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="185" />
        <source>Another operator</source>
        <translation>Другой оператор</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="191" />
        <source>Field</source>
        <translation>Поле</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="191" />
        <source>Yours</source>
        <translation>Ваше</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="191" />
        <source>Theirs</source>
        <translation>Их</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="201" />
        <source>&amp;Keep theirs (reload)</source>
        <translation>&amp;Оставить их версию (перезагрузить)</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="202" />
        <source>&amp;Apply my changes on top</source>
        <translation>&amp;Применить мои изменения поверх</translation>
    </message>
</context>
<context>
    <name>CustomerCardView</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="107" />
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="109" />
        <source>Contract:</source>
        <translation>Договор:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="110" />
        <source>Phones:</source>
        <translation>Телефоны:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="111" />
        <source>Address:</source>
        <translation>Адрес:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="112" />
        <source>Region:</source>
        <translation>Регион:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="113" />
        <source>Plan:</source>
        <translation>Тариф:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="114" />
        <source>Notes:</source>
        <translation>Заметки:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="116" />
        <location filename="../../app/ui/customer_card.py" line="119" />
        <source>Ticket</source>
        <translation>Заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="116" />
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="116" />
        <source>Created</source>
        <translation>Создана</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="116" />
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="119" />
        <source>When</source>
        <translation>Когда</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="119" />
        <source>From</source>
        <translation>С номера</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="119" />
        <source>Line</source>
        <translation>Линия</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="119" />
        <source>Outcome</source>
        <translation>Итог</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="126" />
        <source>Open tickets</source>
        <translation>Открытые заявки</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="127" />
        <source>Recent calls</source>
        <translation>Последние звонки</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="138" />
        <source>Search for a customer by phone number, contract number or name.</source>
        <translation>Найдите клиента по номеру телефона, номеру договора или имени.</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="168" />
        <source>⚠ {text}</source>
        <translation>⚠ {text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="171" />
        <source>Open tickets ({count})</source>
        <translation>Открытые заявки ({count})</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="172" />
        <source>Recent calls ({count})</source>
        <translation>Последние звонки ({count})</translation>
    </message>
</context>
<context>
    <name>DemoMenu</name>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="42" />
        <source>&amp;Demo</source>
        <translation>&amp;Демо</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="44" />
        <source>Call from a &amp;known customer</source>
        <translation>Звонок от &amp;известного клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="45" />
        <source>Call from an &amp;unknown number</source>
        <translation>Звонок с &amp;неизвестного номера</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="46" />
        <source>Call &amp;anonymously</source>
        <translation>&amp;Анонимный звонок</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="47" />
        <source>Call every 90 &amp;seconds</source>
        <translation>Звонить каждые 90 &amp;секунд</translation>
    </message>
    <message>
        <location filename="../../app/ui/demo_menu.py" line="96" />
        <source>Demo caller: {error}</source>
        <translation>Демо-абонент: {error}</translation>
    </message>
</context>
<context>
    <name>DraftKeeper</name>
    <message>
        <location filename="../../app/ui/draft_keeper.py" line="205" />
        <source>Reopened what you had not saved: {numbers}.</source>
        <translation>Снова открыто то, что вы не сохранили: {numbers}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/draft_keeper.py" line="210" />
        <source>Unsaved typing of {numbers} is kept on this computer; it reopens once the ticket can be read.</source>
        <translation>Несохранённый текст заявок {numbers} хранится на этом компьютере; он откроется, как только заявку можно будет прочитать.</translation>
    </message>
    <message>
        <location filename="../../app/ui/draft_keeper.py" line="234" />
        <source>Your typing could not be kept on this computer: {error}. Save the ticket.</source>
        <translation>Введённый текст не удалось сохранить на этом компьютере: {error}. Сохраните заявку.</translation>
    </message>
</context>
<context>
    <name>DueDateEdit</name>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="122" />
        <source>No date</source>
        <translation>Без срока</translation>
    </message>
</context>
<context>
    <name>IncomingBanner</name>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="106" />
        <source>No call</source>
        <translation>Нет звонка</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="114" />
        <source>On the line</source>
        <translation>На линии</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="119" />
        <source>Anonymous caller</source>
        <translation>Номер скрыт</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="122" />
        <source>Call waiting</source>
        <translation>Второй звонок</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="122" />
        <source>Incoming call</source>
        <translation>Входящий звонок</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="130" />
        <source>Line: {line}</source>
        <translation>Линия: {line}</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="130" />
        <source>Line: unknown</source>
        <translation>Линия: неизвестна</translation>
    </message>
</context>
<context>
    <name>LiveUpdates</name>
    <message>
        <location filename="../../app/ui/live_updates.py" line="129" />
        <source>Ticket {number} was changed on another desk. Your typing is kept; saving shows both versions.</source>
        <translation>Заявку {number} изменили на другом рабочем месте. Введённое вами сохранено; при сохранении будут показаны обе версии.</translation>
    </message>
    <message>
        <location filename="../../app/ui/live_updates.py" line="150" />
        <source>No conflicts to review.</source>
        <translation>Конфликтов нет.</translation>
    </message>
    <message>
        <location filename="../../app/ui/live_updates.py" line="159" />
        <source>Ticket {number} was saved on another desk before yours reached the central database. Press Ctrl+Shift+K to compare when you are ready.</source>
        <translation>Заявку {number} сохранили на другом рабочем месте раньше, чем ваше сохранение дошло до центральной базы. Нажмите Ctrl+Shift+K, чтобы сравнить, когда будете готовы.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="117" />
        <source>Frontline — {company}</source>
        <translation>Frontline — {company}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="134" />
        <source>Database: checking…</source>
        <translation>База данных: проверка…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="163" />
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="164" />
        <source>&amp;Quit</source>
        <translation>В&amp;ыход</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="173" />
        <source>&amp;Customer</source>
        <translation>&amp;Клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="175" />
        <source>&amp;Find customer</source>
        <translation>&amp;Найти клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="183" />
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="184" />
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="189" />
        <source>&amp;About Frontline</source>
        <translation>&amp;О программе Frontline</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="202" />
        <location filename="../../app/ui/main_window.py" line="204" />
        <source>Find customer</source>
        <translation>Найти клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="205" />
        <source>Down</source>
        <translation>Вниз</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="205" />
        <source>From the search box into the results</source>
        <translation>Из поиска в результаты</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="206" />
        <source>Up / Down</source>
        <translation>Вверх / Вниз</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="206" />
        <source>Move through the results</source>
        <translation>Перемещение по результатам</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="207" />
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="207" />
        <source>Open the highlighted customer</source>
        <translation>Открыть выделенного клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="208" />
        <source>This help</source>
        <translation>Эта справка</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="209" />
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="223" />
        <source>About Frontline</source>
        <translation>О программе Frontline</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="224" />
        <source>Frontline {version}
The operator workstation.</source>
        <translation>Frontline {version}
Рабочее место оператора.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="245" />
        <source>Review &amp;conflicts with other desks</source>
        <translation>&amp;Конфликты с другими рабочими местами</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="280" />
        <source>Database: {backend} ({location})</source>
        <translation>База данных: {backend} ({location})</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="284" />
        <source>Database unavailable: {error} — retrying</source>
        <translation>База данных недоступна: {error} — повторяем попытки</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="403" />
        <source>Ca&amp;ll</source>
        <translation>&amp;Звонок</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="407" />
        <source>&amp;Sound devices…</source>
        <translation>&amp;Звуковые устройства…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="411" />
        <source>&amp;New customer…</source>
        <translation>&amp;Новый клиент…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="415" />
        <source>T&amp;icket</source>
        <translation>З&amp;аявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="418" />
        <source>&amp;State</source>
        <translation>&amp;Статус</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="480" />
        <source>Operator “{login}” is not in the database: scripts will not name you.</source>
        <translation>Оператора «{login}» нет в базе данных: скрипты не назовут ваше имя.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="558" />
        <source>My &amp;unfinished tickets…</source>
        <translation>Мои &amp;незавершённые заявки…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="584" />
        <source>Sound devices change between calls: finish this call first.</source>
        <translation>Звуковые устройства меняются между звонками: сначала завершите этот звонок.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="607" />
        <source>Sound devices saved: used from the next start.</source>
        <translation>Звуковые устройства сохранены: будут использованы при следующем запуске.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="611" />
        <source>Sound devices saved; the softphone uses them now.</source>
        <translation>Звуковые устройства сохранены; софтфон уже использует их.</translation>
    </message>
</context>
<context>
    <name>NewCustomerForm</name>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="86" />
        <source>New customer</source>
        <translation>Новый клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="92" />
        <source>No customer has this number yet. Only the phone number is required.</source>
        <translation>С этим номером клиентов ещё нет. Обязателен только номер телефона.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="96" />
        <source>If the caller does not say, the number is used</source>
        <translation>Если абонент не представился, будет указан номер</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="110" />
        <source>&amp;Name:</source>
        <translation>&amp;Имя:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="111" />
        <source>&amp;Phone:</source>
        <translation>Теле&amp;фон:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="112" />
        <source>A&amp;ddress:</source>
        <translation>А&amp;дрес:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="113" />
        <source>Re&amp;gion:</source>
        <translation>Р&amp;егион:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="114" />
        <source>No&amp;tes:</source>
        <translation>За&amp;метки:</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="136" />
        <source>&amp;Create customer</source>
        <translation>&amp;Создать клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="148" />
        <source>Create customer ({keys})</source>
        <translation>Создать клиента ({keys})</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="174" />
        <source>Name</source>
        <translation>Имя</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="175" />
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="176" />
        <source>Address</source>
        <translation>Адрес</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="177" />
        <source>Region</source>
        <translation>Регион</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="178" />
        <source>Notes</source>
        <translation>Заметки</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="218" />
        <source>Creating the customer…</source>
        <translation>Создаём клиента…</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="236" />
        <source>Customer {contract} was created but cannot be shown right now: {error} Search for {contract} in a moment; do not create it again.</source>
        <translation>Клиент {contract} создан, но показать его сейчас нельзя: {error} Найдите {contract} чуть позже; не создавайте его повторно.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="244" />
        <source>Not created: {error} Everything you typed is still here; try again in a moment.</source>
        <translation>Не создано: {error} Всё введённое осталось в форме; попробуйте ещё раз чуть позже.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="249" />
        <location filename="../../app/ui/new_customer_form.py" line="267" />
        <source>Not created: {error}</source>
        <translation>Не создано: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="257" />
        <source>Customer {contract} created: {name}.</source>
        <translation>Клиент {contract} создан: {name}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="276" />
        <source>“{phone}” is not a phone number: type it with the area code, e.g. +7 912 345-67-89.</source>
        <translation>«{phone}» — не номер телефона: введите его с кодом, например +7 912 345-67-89.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="280" />
        <source>Type the caller's phone number: a new customer needs one.</source>
        <translation>Введите номер телефона абонента: без него клиента не создать.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="284" />
        <source>Too long to store: {fields}.</source>
        <translation>Слишком длинно для сохранения: {fields}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="298" />
        <source>Check this field</source>
        <translation>Проверьте это поле</translation>
    </message>
    <message>
        <location filename="../../app/ui/new_customer_form.py" line="329" />
        <source>Something went wrong: {error}</source>
        <translation>Что-то пошло не так: {error}</translation>
    </message>
</context>
<context>
    <name>NotReadyReason</name>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="30" />
        <source>Training</source>
        <translation>Обучение</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="31" />
        <source>Meeting</source>
        <translation>Совещание</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="32" />
        <source>Technical problem</source>
        <translation>Техническая проблема</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="33" />
        <source>Callbacks</source>
        <translation>Обратные звонки</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="34" />
        <source>Other</source>
        <translation>Другое</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="35" />
        <source>just signed in</source>
        <translation>только что вошёл</translation>
    </message>
</context>
<context>
    <name>OperatorStateActions</name>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="51" />
        <source>&amp;Ready</source>
        <translation>&amp;Готов</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="52" />
        <source>&amp;Not ready…</source>
        <translation>&amp;Не готов…</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="53" />
        <source>&amp;Break</source>
        <translation>&amp;Перерыв</translation>
    </message>
</context>
<context>
    <name>OperatorStateWidget</name>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="99" />
        <source>{status}: {reason}</source>
        <translation>{status}: {reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="102" />
        <source>{status} ({seconds} s left)</source>
        <translation>{status} (осталось {seconds} с)</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="116" />
        <source>Not ready</source>
        <translation>Не готов</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="117" />
        <source>Why are you not ready?</source>
        <translation>Почему вы не готовы?</translation>
    </message>
</context>
<context>
    <name>OperatorStatus</name>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="17" />
        <source>Ready</source>
        <translation>Готов</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="18" />
        <source>Not ready</source>
        <translation>Не готов</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="19" />
        <source>Break</source>
        <translation>Перерыв</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="20" />
        <source>On call</source>
        <translation>Разговор</translation>
    </message>
    <message>
        <location filename="../../app/ui/operator_state_widget.py" line="21" />
        <source>Wrap-up</source>
        <translation>Обработка</translation>
    </message>
</context>
<context>
    <name>Outcome</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="67" />
        <source>in progress</source>
        <translation>идёт</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="69" />
        <source>Answered</source>
        <translation>Принят</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="70" />
        <source>Missed</source>
        <translation>Пропущен</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="71" />
        <source>Abandoned</source>
        <translation>Брошен</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="72" />
        <source>Transferred</source>
        <translation>Переведён</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="73" />
        <source>Rejected</source>
        <translation>Отклонён</translation>
    </message>
</context>
<context>
    <name>PhoneActions</name>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="47" />
        <source>&amp;Answer</source>
        <translation>&amp;Ответить</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="48" />
        <source>&amp;Reject (busy)</source>
        <translation>Откл&amp;онить (занято)</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="49" />
        <source>&amp;Hang up</source>
        <translation>&amp;Завершить</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="50" />
        <source>H&amp;old / resume</source>
        <translation>&amp;Удержание / возврат</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="51" />
        <source>&amp;Mute</source>
        <translation>&amp;Микрофон выкл.</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="52" />
        <source>&amp;Transfer…</source>
        <translation>&amp;Перевести…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="53" />
        <source>&amp;Goodbye words</source>
        <translation>&amp;Прощание</translation>
    </message>
</context>
<context>
    <name>QuitGuard</name>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="33" />
        <source>an anonymous caller</source>
        <translation>скрытого номера</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="36" />
        <source>The call with {number} is hung up.</source>
        <translation>Разговор с {number} будет прерван.</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="39" />
        <source>The call ringing from {number} is not answered.</source>
        <translation>Звонок с {number} останется без ответа.</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="51" />
        <source>What you chose for the call's ticket ({fields}) is lost.</source>
        <translation>Выбранное для заявки звонка ({fields}) будет потеряно.</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="57" />
        <source>Ticket {number}: {fields} not saved to the database (kept on this computer and reopened at the next start).</source>
        <translation>Заявка {number}: {fields} — не сохранено в базе данных (хранится на этом компьютере и откроется при следующем запуске).</translation>
    </message>
</context>
<context>
    <name>QuitQuestion</name>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="75" />
        <source>Quit Frontline?</source>
        <translation>Выйти из Frontline?</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="77" />
        <source>If you quit now:</source>
        <translation>Если выйти сейчас:</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="81" />
        <source>&amp;Quit anyway</source>
        <translation>&amp;Всё равно выйти</translation>
    </message>
    <message>
        <location filename="../../app/ui/quit_guard.py" line="84" />
        <source>&amp;Keep working</source>
        <translation>&amp;Продолжить работу</translation>
    </message>
</context>
<context>
    <name>ScriptsPanel</name>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="118" />
        <source>Script</source>
        <translation>Скрипт</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="119" />
        <source>The words to say appear here when a call is answered.</source>
        <translation>Здесь появится текст для разговора, когда вы ответите на звонок.</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="141" />
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="142" />
        <source>Minutes to promise on hold</source>
        <translation>Сколько минут обещать на удержании</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="143" />
        <source>Hold &amp;minutes:</source>
        <translation>Минуты ожидания (&amp;M):</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="146" />
        <source>Copy script</source>
        <translation>Копировать текст</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="148" />
        <source>Copy the words on screen to the clipboard</source>
        <translation>Скопировать текст с экрана в буфер обмена</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="260" />
        <source>Promised wait is over by {overdue} — go back to the caller</source>
        <translation>Обещанное время ожидания превышено на {overdue} — вернитесь к абоненту</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="264" />
        <source>On hold: {remaining} left of the {minutes} min promised</source>
        <translation>Удержание: осталось {remaining} из обещанных {minutes} мин</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="314" />
        <source>No scripts are loaded for this line.</source>
        <translation>Для этой линии скрипты не загружены.</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="328" />
        <source>No call</source>
        <translation>Нет звонка</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="329" />
        <source>Greeting</source>
        <translation>Приветствие</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="330" />
        <source>On hold</source>
        <translation>Удержание</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="331" />
        <source>Back from hold</source>
        <translation>Возврат с удержания</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="332" />
        <source>Transfer</source>
        <translation>Перевод</translation>
    </message>
    <message>
        <location filename="../../app/ui/scripts_panel.py" line="333" />
        <source>Closing</source>
        <translation>Завершение</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../app/ui/search_panel.py" line="45" />
        <source>Phone, contract number or name</source>
        <translation>Телефон, номер договора или имя</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="46" />
        <source>Customer search</source>
        <translation>Поиск клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="49" />
        <source>Search results</source>
        <translation>Результаты поиска</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="119" />
        <source>Searching…</source>
        <translation>Поиск…</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="148" />
        <source>No customer found for “{query}”.</source>
        <translation>По запросу «{query}» клиентов не найдено.</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="149" />
        <source>{count} customer(s) found.</source>
        <translation>Найдено клиентов: {count}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="162" />
        <source>Search failed: {error}</source>
        <translation>Ошибка поиска: {error}</translation>
    </message>
</context>
<context>
    <name>ShortcutHelp</name>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="20" />
        <source>Keyboard shortcuts</source>
        <translation>Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="22" />
        <source>Keys</source>
        <translation>Клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="22" />
        <source>Action</source>
        <translation>Действие</translation>
    </message>
</context>
<context>
    <name>SoftphonePanel</name>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="152" />
        <source>No call</source>
        <translation>Нет звонка</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="163" />
        <source>Phone: starting…</source>
        <translation>Телефон: запуск…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="167" />
        <source>Transfer to (extension or SIP address)</source>
        <translation>Перевести на (внутренний номер или SIP-адрес)</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="211" />
        <source>Ringing</source>
        <translation>Звонит</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="220" />
        <source>Calling…</source>
        <translation>Вызов…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="234" />
        <source>On hold</source>
        <translation>На удержании</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="234" />
        <source>Talking</source>
        <translation>Разговор</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="250" />
        <source>Call ended</source>
        <translation>Звонок завершён</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="255" />
        <source>Phone: registered</source>
        <translation>Телефон: зарегистрирован</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="256" />
        <source>Phone: ready (direct)</source>
        <translation>Телефон: готов (напрямую)</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="257" />
        <source>Phone: not registered</source>
        <translation>Телефон: не зарегистрирован</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="259" />
        <source>Phone: {state} {code} {reason}</source>
        <translation>Телефон: {state} {code} {reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="267" />
        <source>Phone: engine stopped ({why}), restarting…</source>
        <translation>Телефон: движок остановлен ({why}), перезапуск…</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="272" />
        <source>Line: {line}</source>
        <translation>Линия: {line}</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="312" />
        <source>Talk {time}</source>
        <translation>Разговор {time}</translation>
    </message>
    <message>
        <location filename="../../app/ui/softphone_panel.py" line="315" />
        <source>Hold {time}</source>
        <translation>Удержание {time}</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="56" />
        <source>New</source>
        <translation>Новая</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="57" />
        <source>In progress</source>
        <translation>В работе</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="58" />
        <source>Escalated</source>
        <translation>Передана дальше</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="59" />
        <source>Waiting for customer</source>
        <translation>Ожидает клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="60" />
        <source>Resolved</source>
        <translation>Решена</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="61" />
        <source>Closed</source>
        <translation>Закрыта</translation>
    </message>
</context>
<context>
    <name>SyncStatusLabel</name>
    <message>
        <location filename="../../app/ui/sync_status.py" line="47" />
        <source>Central database: offline — changes waiting: {count}</source>
        <translation>Центральная база недоступна — ждут отправки: {count}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="49" />
        <source>Everything is kept on this desk and sent when the central database is back. {error}</source>
        <translation>Всё хранится на этом рабочем месте и будет отправлено, когда центральная база станет доступна. {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="52" />
        <source>Central database: catching up {done}/{total}</source>
        <translation>Центральная база: отправка {done}/{total}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="55" />
        <source>Sending what was saved while the central database was away.</source>
        <translation>Отправляем то, что было сохранено, пока центральная база была недоступна.</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="57" />
        <source>Central database: online</source>
        <translation>Центральная база: на связи</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="60" />
        <source>conflicts to review (Ctrl+Shift+K): {count}</source>
        <translation>конфликтов для просмотра (Ctrl+Shift+K): {count}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="64" />
        <source>refused by the central database: {count} — call IT</source>
        <translation>отклонено центральной базой: {count} — позвоните в ИТ</translation>
    </message>
    <message>
        <location filename="../../app/ui/sync_status.py" line="68" />
        <source>The central database refused some changes for good; they are kept on this desk and the log says why.</source>
        <translation>Центральная база окончательно отклонила некоторые изменения; они сохранены на этом рабочем месте, причина — в журнале.</translation>
    </message>
</context>
<context>
    <name>TicketField</name>
    <message>
        <location filename="../../app/ui/field_labels.py" line="20" />
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="21" />
        <source>Line</source>
        <translation>Линия</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="22" />
        <source>Category</source>
        <translation>Категория</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="23" />
        <source>Complexity</source>
        <translation>Сложность</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="24" />
        <source>Priority</source>
        <translation>Приоритет</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="25" />
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="26" />
        <source>Description</source>
        <translation>Описание</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="27" />
        <source>Resolution</source>
        <translation>Решение</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="28" />
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="29" />
        <source>Department</source>
        <translation>Отдел</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="30" />
        <source>Assignee</source>
        <translation>Исполнитель</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="31" />
        <source>Due date</source>
        <translation>Срок</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="38" />
        <source>C&amp;ustomer:</source>
        <translation>&amp;Клиент:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="39" />
        <source>&amp;Line:</source>
        <translation>&amp;Линия:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="40" />
        <source>&amp;Category:</source>
        <translation>Кате&amp;гория:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="41" />
        <source>Comple&amp;xity:</source>
        <translation>Сло&amp;жность:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="42" />
        <source>&amp;Priority:</source>
        <translation>&amp;Приоритет:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="43" />
        <source>Su&amp;bject:</source>
        <translation>&amp;Тема:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="44" />
        <source>&amp;Description:</source>
        <translation>&amp;Описание:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="45" />
        <source>&amp;Resolution:</source>
        <translation>&amp;Решение:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="46" />
        <source>S&amp;tatus:</source>
        <translation>&amp;Статус:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="47" />
        <source>Dep&amp;artment:</source>
        <translation>Отд&amp;ел:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="48" />
        <source>Assi&amp;gnee:</source>
        <translation>&amp;Исполнитель:</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="49" />
        <source>Due dat&amp;e:</source>
        <translation>Срок &amp;выполнения:</translation>
    </message>
</context>
<context>
    <name>TicketForm</name>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="283" />
        <source>Ticket number</source>
        <translation>Номер заявки</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="332" />
        <source>&amp;Insert answer</source>
        <translation>Вст&amp;авить ответ</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="340" />
        <location filename="../../app/ui/ticket_form.py" line="400" />
        <source>Comments</source>
        <translation>Комментарии</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="344" />
        <source>Ctrl+Enter adds the comment</source>
        <translation>Ctrl+Enter добавляет комментарий</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="345" />
        <source>Ne&amp;w comment:</source>
        <translation>&amp;Новый комментарий:</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="347" />
        <source>Add co&amp;mment</source>
        <translation>&amp;Добавить комментарий</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="351" />
        <source>&amp;Save ticket</source>
        <translation>Со&amp;хранить заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="354" />
        <source>Cl&amp;ose ticket</source>
        <translation>&amp;Закрыть заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="380" />
        <source>Ticket</source>
        <translation>Заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="574" />
        <location filename="../../app/ui/ticket_form.py" line="600" />
        <source>No ticket is open.</source>
        <translation>Заявка не открыта.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="577" />
        <source>Type the comment first.</source>
        <translation>Сначала введите комментарий.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="584" />
        <source>The comment was not added: {error}</source>
        <translation>Комментарий не добавлен: {error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="593" />
        <source>Comment added.</source>
        <translation>Комментарий добавлен.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="607" />
        <source>Saving…</source>
        <translation>Сохранение…</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="616" />
        <source>Ticket {number} closed.</source>
        <translation>Заявка {number} закрыта.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="619" />
        <source>Ticket {number} saved.</source>
        <translation>Заявка {number} сохранена.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="629" />
        <source>A ticket cannot go from {old} to {new}. Possible: {choices}.</source>
        <translation>Заявку нельзя перевести из «{old}» в «{new}». Возможно: {choices}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="658" />
        <source>Not saved: {error} Everything you typed is still here; save again in a moment.</source>
        <translation>Не сохранено: {error} Всё введённое осталось в форме; сохраните ещё раз чуть позже.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="693" />
        <source>Ticket {number} was changed by someone else meanwhile: nothing was saved.</source>
        <translation>Заявку {number} тем временем изменил другой оператор: ничего не сохранено.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="708" />
        <source>Ticket {number} was saved on another desk before your save reached the central database.</source>
        <translation>Заявку {number} сохранили на другом рабочем месте раньше, чем ваше сохранение дошло до центральной базы.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="726" />
        <source>Reloaded the ticket as the other operator saved it.</source>
        <translation>Заявка перезагружена в том виде, в каком её сохранил другой оператор.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="783" />
        <source>Fill in {fields} to {action}.</source>
        <translation>Заполните поля {fields}, чтобы {action}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="796" />
        <source>Required: fill this in</source>
        <translation>Обязательное поле: заполните его</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="836" />
        <source>Customer no. {id}</source>
        <translation>Клиент № {id}</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="864" />
        <source>(unknown: {id})</source>
        <translation>(неизвестно: {id})</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="893" />
        <source>{author}, {when}</source>
        <translation>{author}, {when}</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="894" />
        <source>unknown</source>
        <translation>неизвестно</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_form.py" line="958" />
        <source>Something went wrong: {error}</source>
        <translation>Что-то пошло не так: {error}</translation>
    </message>
</context>
<context>
    <name>TicketTabs</name>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="60" />
        <source>Ne&amp;xt open ticket</source>
        <translation>С&amp;ледующая открытая заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="62" />
        <source>Pre&amp;vious open ticket</source>
        <translation>П&amp;редыдущая открытая заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="64" />
        <source>&amp;Put the ticket aside</source>
        <translation>&amp;Отложить заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="197" />
        <source>New ticket</source>
        <translation>Новая заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="201" />
        <source>Not saved yet</source>
        <translation>Ещё не сохранено</translation>
    </message>
    <message>
        <location filename="../../app/ui/ticket_tabs.py" line="206" />
        <source>Still missing: {fields}</source>
        <translation>Не заполнено: {fields}</translation>
    </message>
</context>
<context>
    <name>TicketTransition</name>
    <message>
        <location filename="../../app/ui/field_labels.py" line="56" />
        <source>save a new ticket</source>
        <translation>сохранить новую заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="57" />
        <source>save the ticket</source>
        <translation>сохранить заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="58" />
        <source>take the ticket into work</source>
        <translation>взять заявку в работу</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="59" />
        <source>pass the ticket to another department</source>
        <translation>передать заявку в другой отдел</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="62" />
        <source>wait for the customer</source>
        <translation>перевести заявку в ожидание клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="63" />
        <source>resolve the ticket</source>
        <translation>отметить заявку как решённую</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="64" />
        <source>close the ticket</source>
        <translation>закрыть заявку</translation>
    </message>
    <message>
        <location filename="../../app/ui/field_labels.py" line="65" />
        <source>reopen the ticket</source>
        <translation>открыть заявку заново</translation>
    </message>
</context>
<context>
    <name>UnfinishedDialog</name>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="162" />
        <source>My unfinished tickets</source>
        <translation>Мои незавершённые заявки</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="165" />
        <source>Tickets not saved, or saved without what they need. Enter opens the highlighted one.</source>
        <translation>Заявки, которые не сохранены или сохранены без обязательных полей. Enter открывает выделенную.</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="167" />
        <source>Nothing unfinished.</source>
        <translation>Незавершённых заявок нет.</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="190" />
        <source>(no subject)</source>
        <translation>(без темы)</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="193" />
        <source>not saved</source>
        <translation>не сохранено</translation>
    </message>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="196" />
        <source>missing: {fields}</source>
        <translation>не заполнено: {fields}</translation>
    </message>
</context>
<context>
    <name>UnfinishedLabel</name>
    <message>
        <location filename="../../app/ui/unfinished_tickets.py" line="149" />
        <source>Unfinished tickets: {count} (F2)</source>
        <translation>Незавершённых заявок: {count} (F2)</translation>
    </message>
</context>
</TS>