# Hark: alle sichtbaren Texte, Deutsch.
# Gleiche Nachrichten-IDs und $Variablen wie in i18n/en-US/hark.ftl.

app-title = Hark
app-title-unread = Hark ({ $count })
loading = Hark wird gestartet…
loading-quit = Beenden

## Anmeldestatus, neben dem farbigen Punkt.

state-connecting = Verbindung wird hergestellt…
state-online = Online
state-offline = Offline
state-not-connected = Nicht verbunden
state-retrying = Neuer Versuch in { $seconds } s: { $reason }
state-retrying-now = Neuer Versuch läuft: { $reason }

## Warum die Anmeldung wiederholt wird: ergänzt „Neuer Versuch in 8 s: …“.

retry-reason-wrong-password = der Server hat das Passwort nicht angenommen
retry-reason-unknown-user = der Server kennt diesen Benutzer nicht
retry-reason-forbidden = der Server weist das Konto ab
retry-reason-timeout = der Server antwortet nicht
retry-reason-connection-refused = der Server hat die Verbindung abgelehnt
retry-reason-name-not-found = der Servername wurde nicht gefunden
retry-reason-server-lost = die Verbindung zum Server ist abgebrochen
retry-reason-server-error = der Server hat einen Fehler gemeldet
retry-reason-server-error-detail = der Server hat einen Fehler gemeldet ({ $detail })
retry-reason-network = es gibt ein Problem mit dem Netzwerk
retry-reason-no-password = es ist kein Passwort gespeichert
retry-reason-bad-settings = die Kontoeinstellungen sind nicht verwendbar

## Warum die Anmeldung gescheitert ist: ein ganzer Satz.

failure-wrong-password = Der Server hat das Passwort für { $account } nicht angenommen. Bitte prüfen Sie das Passwort.
failure-unknown-user = Der Server kennt den Benutzer { $account } nicht. Bitte prüfen Sie die Adresse.
failure-forbidden = Der Server lässt { $account } nicht zu. Fragen Sie Ihre Administration, ob dieses Konto hier verwendet werden darf.
failure-timeout = Der Server hat nicht geantwortet. Bitte prüfen Sie die Serveradresse und Ihre Netzwerkverbindung.
failure-connection-refused = Der Server hat die Verbindung abgelehnt: Stimmt die Serveradresse?
failure-name-not-found = Der Servername wurde nicht gefunden. Bitte prüfen Sie die Adresse und den Server.
failure-server-lost = Die Verbindung zum Server ist abgebrochen.
failure-server-error = Der Server hat einen Fehler gemeldet.
failure-server-error-detail = Der Server hat einen Fehler gemeldet: { $detail }
failure-network = Es gibt ein Problem mit dem Netzwerk. Bitte prüfen Sie Ihre Verbindung.
failure-no-password = Für { $account } ist kein Passwort gespeichert. Geben Sie es unter „Konto bearbeiten“ ein.
failure-bad-settings = Die Einstellungen von { $account } sind nicht verwendbar. Korrigieren Sie sie unter „Konto bearbeiten“.
failure-detail = Details: { $detail }

## Hauptfenster

main-retry = Jetzt erneut versuchen
main-edit = Konto bearbeiten
main-add-account = Konto einrichten
main-no-account = Es ist noch kein Konto eingerichtet.
main-quit = Beenden
main-quitting = Abmeldung läuft…
main-dismiss = Schließen
main-engine-stopped = Der Hintergrunddienst von Hark wurde beendet. Beenden Sie Hark und starten Sie es neu, um sich wieder zu verbinden.
notice-error = Das hat nicht geklappt: { $message }

## Kontoformular beim ersten Start

form-title-new = Willkommen bei Hark
form-intro-new = Geben Sie die SIP-Adresse und das Passwort ein, die Sie von Ihrem Anbieter oder Ihrer Administration erhalten haben.
form-title-edit = Konto bearbeiten
form-intro-edit = Ändern Sie die Einstellungen dieses Kontos. Hark verbindet sich nach dem Speichern neu.
form-address-label = SIP-Adresse
form-address-placeholder = alice@example.com
form-password-label = Passwort
form-password-placeholder = Ihr Passwort
form-server-label = Server oder Proxy (optional)
form-server-placeholder = sip.example.com:5060
form-server-hint = Leer lassen, um den Server aus Ihrer Adresse zu verwenden.
form-transport-label = Transportprotokoll
transport-udp = UDP
transport-tcp = TCP
form-connect = Verbinden
form-save = Speichern und verbinden
form-cancel = Abbrechen

## Was an einem Feld des Formulars falsch ist, unter dem Feld angezeigt.

form-error-address-empty = Geben Sie Ihre SIP-Adresse ein, etwa alice@example.com
form-error-address-format = Geben Sie eine Adresse wie alice@example.com ein
form-error-address-no-user = Vor dem @ fehlt der Benutzername, etwa alice@example.com
form-error-address-host = Der Teil nach dem @ ist kein gültiger Servername.
form-error-port = Der Port muss eine Zahl von 1 bis 65535 sein.
form-error-password-empty = Geben Sie Ihr Passwort ein.
form-error-server-host = Geben Sie einen Servernamen oder eine IP-Adresse ein, etwa sip.example.com

## Eigener Status, oben in der Kontaktliste

own-available = Verfügbar
own-away = Abwesend
own-busy = Beschäftigt
own-dnd = Bitte nicht stören
own-invisible = Offline erscheinen
own-note-placeholder = Was machen Sie gerade? (Eingabetaste)

## Kontaktliste

contacts-search-placeholder = Kontakte suchen
contacts-add = Kontakt hinzufügen
contacts-add-title = Kontakt hinzufügen
contacts-add-address = SIP-Adresse, z. B. bob@example.com
contacts-add-name = Name (optional)
contacts-add-group = Gruppe (optional)
contacts-add-account = Zum Konto
contacts-add-submit = Hinzufügen
contacts-add-error = Der Kontakt konnte nicht hinzugefügt werden: { $message }
contacts-cancel = Abbrechen
contacts-save = Speichern
contacts-ungrouped = Kontakte
contacts-group-count = { $online }/{ $total }
contacts-empty = Noch keine Kontakte. Fügen Sie Personen mit „Kontakt hinzufügen“ hinzu.
contacts-no-match = Kein Kontakt passt zu „{ $filter }“.

## Verfügbarkeit eines Kontakts in Worten, wenn er keine Notiz hinterlassen hat.

presence-available = Verfügbar
presence-away = Abwesend
presence-busy = Beschäftigt
presence-in-a-meeting = In einer Besprechung
presence-on-the-phone = Am Telefon
presence-dnd = Bitte nicht stören
presence-forwarded = Anrufe umgeleitet
presence-offline = Offline
presence-unknown = Status unbekannt

## Besondere Zustände neben einem Kontakt

contact-badge-pending = Wartet auf Freigabe
contact-badge-refused = Nicht für Sie freigegeben
contact-badge-in-call = Im Gespräch
contact-badge-ringing = Es klingelt

## Kontextmenü eines Kontakts

contact-action-message = Nachricht senden
contact-action-call = Anrufen
contact-action-video = Videoanruf
contact-action-email = E-Mail senden
contact-action-rename = Umbenennen…
contact-action-move = In Gruppe verschieben…
contact-action-remove = Kontakt entfernen
contact-action-copy = Adresse kopieren
contact-rename-title = Kontakt umbenennen
contact-move-title = In Gruppe verschieben

## Personen, die Ihren Status sehen möchten

watcher-asks = { $name } möchte Ihren Status sehen.
watcher-allow = Erlauben
watcher-block = Blockieren
watcher-ignore = Ignorieren

## Ungelesene Chat-Nachrichten neben einem Kontakt

contact-unread = { $count }

## Chatfenster

chat-window-title = { $name } – Hark
chat-time-format = %H:%M
chat-date-format = %-d.%-m.%Y
chat-today = Heute
chat-yesterday = Gestern
chat-weekday-mon = Montag
chat-weekday-tue = Dienstag
chat-weekday-wed = Mittwoch
chat-weekday-thu = Donnerstag
chat-weekday-fri = Freitag
chat-weekday-sat = Samstag
chat-weekday-sun = Sonntag
chat-you = Sie
chat-typing = { $name } schreibt…
chat-someone-typing = Jemand schreibt…
chat-search = Suchen
chat-search-placeholder = In diesem Chat suchen
chat-call = Anrufen
chat-load-older = Ältere Nachrichten laden
chat-loading = Wird geladen…
chat-empty = Noch keine Nachrichten. Sagen Sie Hallo!
chat-copy = Kopieren
chat-copied = Kopiert
chat-composer-placeholder = Nachricht schreiben
chat-send = Senden
chat-send-hint = Eingabe sendet, Umschalt+Eingabe beginnt eine neue Zeile.
chat-send-refused = Diese Nachricht konnte nicht gesendet werden: { $message }
chat-failed = Nicht gesendet: { $reason }
chat-failed-unknown = Nicht gesendet.
chat-retry = Erneut senden
chat-queued = Wartet auf das Senden: { $reason }
chat-queued-offline = Wird gesendet, sobald Hark verbunden ist.
chat-send-now = Jetzt senden
chat-state-queued = Wartet auf das Senden
chat-state-sending = Wird gesendet…
chat-state-sent = Gesendet
chat-state-stored = Zur späteren Zustellung gespeichert
chat-state-delivered = Zugestellt
chat-state-read = Gelesen
chat-state-failed = Nicht gesendet
chat-notification-room = { $name } in { $room }

## Gruppenchats

chat-room-members = { $count ->
    [one] 1 Mitglied
   *[other] { $count } Mitglieder
}
chat-members-heading = Mitglieder ({ $count })
chat-members-toggle = Mitglieder
chat-invite-placeholder = bob@example.com
chat-invite = Einladen
chat-leave = Raum verlassen
chat-menu = Menü
chat-menu-new-room = Neuer Gruppenchat…
chat-menu-search = Nachrichten durchsuchen…
room-new-title = Neuer Gruppenchat
room-new-placeholder = Raumname, z. B. team
room-new-invalid = Ein Raumname enthält keine Leerzeichen; eine Adresse sieht aus wie team@conference.example.com
room-new-create = Erstellen
room-invitation-by = { $name } lädt Sie in den Gruppenchat { $room } ein.
room-invitation = Sie sind in den Gruppenchat { $room } eingeladen.
room-join = Beitreten
room-invitation-title = Einladung in einen Gruppenchat

## Nachrichten durchsuchen

search-window-title = Nachrichten durchsuchen – Hark
search-title = Nachrichten durchsuchen
search-placeholder = Wörter, die in allen Chats gesucht werden
search-submit = Suchen
search-intro = Findet die Nachrichten aller Chats, die alle eingegebenen Wörter enthalten.
search-waiting = Suche läuft…
search-none = Keine Nachricht enthält „{ $query }“.
search-count = { $count ->
    [one] 1 Nachricht enthält „{ $query }“
   *[other] { $count } Nachrichten enthalten „{ $query }“
}
search-close = Zurück zum Chat
search-you-to = Sie an { $name }
search-in-room = { $name } in { $room }

# Warum eine Nachricht nicht gesendet wurde (oder wartet); die Worte des Servers folgen in Klammern.
chat-failure-not-found = diesen Benutzer gibt es nicht
chat-failure-offline = nicht online, und der Server hebt keine Nachrichten auf
chat-failure-busy = beschäftigt
chat-failure-refused = abgelehnt
chat-failure-no-answer = das Gerät hat nicht geantwortet
chat-failure-not-accepted = das Programm der Gegenseite kann diese Nachricht nicht annehmen
chat-failure-unreachable = der Server hat nicht geantwortet
chat-failure-not-registered = noch nicht mit dem Server verbunden
chat-failure-server-error = der Server hat ein Problem
chat-failure-other = nicht durchgekommen

## Anrufeinstellungen: Audiogeräte, Mailbox, Rufumleitung

settings-window-title = Anrufeinstellungen – Hark
menu-call-settings = Anrufeinstellungen…
settings-title = Anrufeinstellungen
settings-devices = Audiogeräte
settings-microphone = Mikrofon
settings-speaker = Lautsprecher
settings-ringer = Klingeln über
settings-refresh = Aktualisieren
settings-refresh-tip = Erneut nach Mikrofonen und Lautsprechern suchen (nach dem Anschließen eines Headsets)
settings-devices-loading = Audiogeräte werden gesucht…
settings-devices-error = Keine Audiogeräte: { $message }
device-default = Systemstandard
device-off = Aus
device-missing = { $device } (nicht verbunden)
settings-device-missing-note = { $device } ist nicht verbunden: Anrufe nutzen den Systemstandard, bis es wieder da ist.
settings-voicemail = Mailbox
settings-voicemail-label = Mailbox-Nummer
settings-voicemail-placeholder = Nummer oder Adresse, z. B. *98
settings-voicemail-hint = Dorthin gehen Anrufe, die Sie an die Mailbox weiterleiten, und Anrufe während „Bitte nicht stören“.
settings-forwarding = Rufumleitung
settings-forward-always = Alle Anrufe umleiten an
settings-forward-busy = Bei besetzt umleiten an
settings-forward-no-answer = Wenn niemand annimmt, umleiten an
settings-forward-placeholder = Nummer oder Adresse (leer: aus)
settings-forward-after = nach
settings-forward-seconds = Sekunden
settings-forward-seconds-invalid = Geben Sie eine Zahl von 1 bis { $max } Sekunden ein.
settings-dnd-note = „Bitte nicht stören“ (Ihr eigener Status) hat Vorrang: Solange er an ist, werden Anrufe nicht umgeleitet; sie gehen an Ihre Mailbox, oder der Anrufer hört besetzt.
settings-loading = Einstellungen werden geladen…
settings-error = Die Einstellungen wurden nicht gespeichert: { $message }
settings-cancel = Abbrechen
settings-save = Speichern
settings-saving = Wird gespeichert…

## Anrufe: einen Anruf im Hauptfenster beginnen

dial-placeholder = Nummer, Name oder Adresse
dial-call = Die Eingabe anrufen (Eingabetaste)
dial-keypad = Wähltasten
dial-tip = Geben Sie eine Nummer, einen Benutzernamen oder eine Adresse wie bob@example.com ein; die Eingabetaste ruft an (Strg+D springt hierher).
dial-error = Anruf nicht möglich: { $message }
calls-missed = { $count ->
    [one] 1 verpasster Anruf
   *[other] { $count } verpasste Anrufe
}
calls-missed-tip = Verpasst: { $names }. Klicken, um sie in der Anrufliste zu sehen.
calls-show = Anzeigen
calls-show-tip = Das Fenster dieses Anrufs anzeigen
chat-call-tip = { $name } anrufen (Alt+C)

## Anrufe: das Fenster für eingehende Anrufe

incoming-window-title = Anruf von { $name } – Hark
call-incoming = Eingehender Anruf
call-incoming-to = an { $account }
call-accept = Annehmen
call-decline = Ablehnen
call-voicemail = Zur Mailbox
call-accept-tip = Den Anruf annehmen (Eingabetaste oder Alt+A)
call-decline-tip = Den Anruf abweisen (Alt+D)
call-voicemail-tip = Den Anrufer an Ihre Mailbox weiterleiten (Alt+V)
call-notification-title = Eingehender Anruf
call-notification-body = { $name } ({ $address }) ruft Sie an.
call-missed-title = Verpasster Anruf
call-missed-body = { $name } ({ $address }) hat Sie angerufen.

## Anrufe: das Anruffenster

call-window-title = Anruf mit { $name } – Hark
call-phase-calling = Wird angerufen…
call-phase-ringing = Es klingelt…
call-phase-incoming = Eingehender Anruf
call-phase-connecting = Verbindung wird hergestellt…
call-phase-active = Verbunden
call-phase-on-hold = Gehalten
call-end-hangup = Anruf beendet
call-end-remote-hangup = { $name } hat aufgelegt
call-end-busy = { $name } ist besetzt
call-end-declined = { $direction ->
    [incoming] Sie haben den Anruf abgelehnt
   *[other] { $name } hat den Anruf abgelehnt
}
call-end-not-found = Unter dieser Nummer oder Adresse ist niemand erreichbar
call-end-no-answer = Keine Antwort
call-end-cancelled = { $direction ->
    [incoming] Verpasster Anruf: { $name } hat vor Ihrer Antwort aufgelegt
   *[other] Anruf abgebrochen
}
call-end-refused = Der Anruf wurde abgewiesen
call-end-failed = Der Anruf konnte nicht hergestellt werden
call-end-no-ack = Die Verbindung konnte nicht aufgebaut werden
call-end-session-expired = Die Verbindung ist abgerissen
call-end-media-failed = Der Ton konnte nicht gestartet werden
call-end-forwarded = Weitergeleitet
call-end-answered-elsewhere = Auf einem anderen Gerät angenommen
call-end-transferred = Anruf weiterverbunden
call-end-other = Anruf beendet
call-end-detail = Details: { $detail }
call-mute = Stummschalten
call-unmute = Mikrofon einschalten
call-hold = Halten
call-resume = Fortsetzen
call-keypad = Wähltasten
call-keypad-hide = Tasten ausblenden
call-transfer = Weiterverbinden
call-transfer-tip = Den Anruf an jemand anderen weitergeben (Alt+T)
call-transfer-title = { $name } weiterverbinden an:
call-transfer-placeholder = Nummer, Name oder Adresse
call-transfer-submit = Weiterverbinden
call-transfer-invalid = Geben Sie eine Nummer, einen Benutzernamen oder eine Adresse wie bob@example.com ein.
call-transfer-with = Oder { $name } mit einem Ihrer Anrufe verbinden:
call-transfer-connect = Verbinden
call-transfer-cancel = Abbrechen
call-hangup = Auflegen
call-close = Schließen
call-info = Anrufdetails
call-mute-tip = Ihr Mikrofon aus- oder einschalten (Alt+M)
call-hold-tip = Den Anruf halten oder fortsetzen (Alt+H)
call-keypad-tip = Töne 0–9, * und # senden (Alt+K; Ziffern auf der Tastatur gehen auch)
call-hangup-tip = Den Anruf beenden (Alt+E)
call-info-tip = Codec und Verbindungswerte (Alt+I)
call-muted = Ihr Mikrofon ist aus
call-devices = Audiogeräte
call-devices-tip = Mikrofon oder Lautsprecher des Anrufs wechseln (wird für die nächsten Anrufe gemerkt)
call-forwarded-to = Umgeleitet an { $address }
call-keys-received = Gedrückte Tasten der Gegenseite: { $keys }
call-keypad-hint = Ziffern, * und # können Sie auch auf der Tastatur tippen.
call-quality-good = Gute Verbindung
call-quality-fair = Mäßige Verbindung
call-quality-poor = Schlechte Verbindung
call-quality-waiting = Verbindung wird gemessen…
call-info-codec = Codec: { $codec }
call-info-loss = Verlorene Pakete: { $percent } %
call-info-remote-loss = Verloren auf der Gegenseite: { $percent } %
call-info-jitter = Jitter: { $ms } ms
call-info-rtt = Umlaufzeit: { $ms } ms
call-info-packets = Pakete: { $sent } gesendet, { $received } empfangen
call-info-concealed = Überbrückte Lücken: { $count }
decimal-separator = ,

## Anrufe: die Anrufliste

history-window-title = Anrufliste – Hark
history-title = Anrufliste
history-open-tip = Anrufliste: ausgehende, eingehende und verpasste Anrufe
history-filter-all = Alle
history-filter-missed = Verpasst
history-filter-placed = Ausgehend
history-filter-received = Eingehend
history-text-placeholder = Nach Name oder Adresse filtern
history-loading = Wird geladen…
history-load-older = Ältere Anrufe laden
history-load-older-tip = Die Anrufe vor diesen anzeigen
history-empty = Noch keine Anrufe.
history-empty-missed = Keine verpassten Anrufe.
history-empty-placed = Noch keine ausgehenden Anrufe.
history-empty-received = Noch keine eingehenden Anrufe.
history-no-match = Keine Anrufe mit „{ $text }“.
history-error = Die Anrufliste konnte nicht gelesen werden: { $message }
history-placed = Ausgehend
history-received = Eingehend
history-missed = Verpasst
history-in-progress = Läuft
history-end-busy = Besetzt
history-end-declined = Abgelehnt
history-end-not-found = Nicht gefunden
history-end-failed = Fehlgeschlagen
history-end-forwarded = Weitergeleitet
history-end-dnd = Nicht stören
history-end-answered-elsewhere = Anderswo angenommen
history-end-interrupted = Unterbrochen
history-end-no-answer = Nicht angenommen
history-end-cancelled = Abgebrochen
history-call-back-tip = { $name } zurückrufen ({ $address })

## Mailbox-Anzeige im Kopf des Hauptfensters

voicemail-counts = { $new } neue, { $old } alte Sprachnachrichten
voicemail-tip = { $counts }. Klicken zum Abhören (ruft { $pilot } an).
voicemail-tip-no-pilot = { $counts }. Es ist keine Mailbox-Nummer eingestellt, daher kann Hark Ihre Mailbox nicht anrufen.
