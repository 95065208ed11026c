<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="ru_RU">
<context>
    <name>CustomerCardView</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="88" />
        <source>Customer</source>
        <translation>Клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="90" />
        <source>Contract:</source>
        <translation>Договор:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="91" />
        <source>Phones:</source>
        <translation>Телефоны:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="92" />
        <source>Address:</source>
        <translation>Адрес:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="93" />
        <source>Region:</source>
        <translation>Регион:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="94" />
        <source>Plan:</source>
        <translation>Тариф:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="95" />
        <source>Notes:</source>
        <translation>Заметки:</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="97" />
        <location filename="../../app/ui/customer_card.py" line="100" />
        <source>Ticket</source>
        <translation>Заявка</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="97" />
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="97" />
        <source>Created</source>
        <translation>Создана</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="97" />
        <source>Subject</source>
        <translation>Тема</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="100" />
        <source>When</source>
        <translation>Когда</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="100" />
        <source>From</source>
        <translation>С номера</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="100" />
        <source>Line</source>
        <translation>Линия</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="100" />
        <source>Outcome</source>
        <translation>Итог</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="104" />
        <source>Open tickets</source>
        <translation>Открытые заявки</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="105" />
        <source>Recent calls</source>
        <translation>Последние звонки</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="109" />
        <source>Search for a customer by phone number, contract number or name.</source>
        <translation>Найдите клиента по номеру телефона, номеру договора или имени.</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="139" />
        <source>Open tickets ({count})</source>
        <translation>Открытые заявки ({count})</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="140" />
        <source>Recent calls ({count})</source>
        <translation>Последние звонки ({count})</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="41" />
        <source>Frontline — {company}</source>
        <translation>Frontline — {company}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="53" />
        <source>Database: checking…</source>
        <translation>База данных: проверка…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="73" />
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="74" />
        <source>&amp;Quit</source>
        <translation>В&amp;ыход</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="79" />
        <source>&amp;Customer</source>
        <translation>&amp;Клиент</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="80" />
        <source>&amp;Find customer</source>
        <translation>&amp;Найти клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="85" />
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="86" />
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="90" />
        <source>&amp;About Frontline</source>
        <translation>&amp;О программе Frontline</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="97" />
        <location filename="../../app/ui/main_window.py" line="98" />
        <source>Find customer</source>
        <translation>Найти клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="99" />
        <source>Down</source>
        <translation>Вниз</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="99" />
        <source>From the search box into the results</source>
        <translation>Из поиска в результаты</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="100" />
        <source>Up / Down</source>
        <translation>Вверх / Вниз</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="100" />
        <source>Move through the results</source>
        <translation>Перемещение по результатам</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="101" />
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="101" />
        <source>Open the highlighted customer</source>
        <translation>Открыть выделенного клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="102" />
        <source>This help</source>
        <translation>Эта справка</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="103" />
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="115" />
        <source>About Frontline</source>
        <translation>О программе Frontline</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="116" />
        <source>Frontline {version}
The operator workstation.</source>
        <translation>Frontline {version}
Рабочее место оператора.</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="141" />
        <source>Database: {backend} ({location})</source>
        <translation>База данных: {backend} ({location})</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="143" />
        <source>Database unavailable: {error} — retrying</source>
        <translation>База данных недоступна: {error} — повторяем попытки</translation>
    </message>
</context>
<context>
    <name>Outcome</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="48" />
        <source>in progress</source>
        <translation>идёт</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="50" />
        <source>Answered</source>
        <translation>Принят</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="51" />
        <source>Missed</source>
        <translation>Пропущен</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="52" />
        <source>Abandoned</source>
        <translation>Брошен</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="53" />
        <source>Transferred</source>
        <translation>Переведён</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="54" />
        <source>Rejected</source>
        <translation>Отклонён</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../app/ui/search_panel.py" line="43" />
        <source>Phone, contract number or name</source>
        <translation>Телефон, номер договора или имя</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="44" />
        <source>Customer search</source>
        <translation>Поиск клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="47" />
        <source>Search results</source>
        <translation>Результаты поиска</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="103" />
        <source>Searching…</source>
        <translation>Поиск…</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="132" />
        <source>No customer found for “{query}”.</source>
        <translation>По запросу «{query}» клиентов не найдено.</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="133" />
        <source>{count} customer(s) found.</source>
        <translation>Найдено клиентов: {count}.</translation>
    </message>
    <message>
        <location filename="../../app/ui/search_panel.py" line="146" />
        <source>Search failed: {error}</source>
        <translation>Ошибка поиска: {error}</translation>
    </message>
</context>
<context>
    <name>ShortcutHelp</name>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="12" />
        <source>Keyboard shortcuts</source>
        <translation>Горячие клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="14" />
        <source>Keys</source>
        <translation>Клавиши</translation>
    </message>
    <message>
        <location filename="../../app/ui/shortcuts.py" line="14" />
        <source>Action</source>
        <translation>Действие</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../app/ui/customer_card.py" line="37" />
        <source>New</source>
        <translation>Новая</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="38" />
        <source>In progress</source>
        <translation>В работе</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="39" />
        <source>Escalated</source>
        <translation>Передана дальше</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="40" />
        <source>Waiting for customer</source>
        <translation>Ожидает клиента</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="41" />
        <source>Resolved</source>
        <translation>Решена</translation>
    </message>
    <message>
        <location filename="../../app/ui/customer_card.py" line="42" />
        <source>Closed</source>
        <translation>Закрыта</translation>
    </message>
</context>
</TS>