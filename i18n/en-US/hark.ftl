# Hark: every user-facing string, American English (the reference language).
# Other languages must have the same message ids and use the same $variables
# (a unit test in src/i18n.rs checks this).

app-title = Hark
# The main window's title while $count chat messages are unread.
app-title-unread = Hark ({ $count })
loading = Starting Hark…
loading-quit = Quit

## Registration state, shown next to the coloured dot.

state-connecting = Connecting…
state-online = Online
state-offline = Offline
state-not-connected = Not connected
# $seconds: whole seconds until the next attempt; $reason: one of the retry-reason-* clauses below.
state-retrying = Retrying in { $seconds } s: { $reason }
state-retrying-now = Trying again now: { $reason }

## Why a registration is being retried: a clause that completes "Retrying in 8 s: …".

retry-reason-wrong-password = the server did not accept the password
retry-reason-unknown-user = the server does not know this user
retry-reason-forbidden = the server turned the account away
retry-reason-timeout = the server is not answering
retry-reason-connection-refused = the server refused the connection
retry-reason-name-not-found = the server name could not be found
retry-reason-server-lost = the connection to the server was lost
retry-reason-server-error = the server reported an error
retry-reason-server-error-detail = the server reported an error ({ $detail })
retry-reason-network = there is a problem with the network
retry-reason-no-password = no password is saved
retry-reason-bad-settings = the account settings cannot be used

## Why a registration failed: a whole sentence. $account is the address without "sip:".

failure-wrong-password = The server did not accept the password for { $account }. Check the password.
failure-unknown-user = The server does not know the user { $account }. Check the address.
failure-forbidden = The server does not let { $account } sign in. Ask your administrator whether this account may be used here.
failure-timeout = The server did not answer. Check the server address and your network connection.
failure-connection-refused = The server refused the connection: is the server address right?
failure-name-not-found = The server name could not be found. Check the address and the server.
failure-server-lost = The connection to the server was lost.
failure-server-error = The server reported an error.
failure-server-error-detail = The server reported an error: { $detail }
failure-network = There is a problem with the network. Check your connection.
failure-no-password = No password is saved for { $account }. Enter it under “Edit account”.
failure-bad-settings = The settings of { $account } cannot be used. Correct them under “Edit account”.
# Technical details under the sentence, for whoever helps the user.
failure-detail = Details: { $detail }

## Main window

main-retry = Retry now
main-edit = Edit account
main-add-account = Set up an account
main-no-account = No account is set up yet.
main-quit = Quit
main-quitting = Signing out…
main-dismiss = Dismiss
main-engine-stopped = Hark’s background service has stopped. Quit and start Hark again to reconnect.
# $message comes from the engine and may be in English.
notice-error = Hark could not do that: { $message }

## First-run account form

form-title-new = Welcome to Hark
form-intro-new = Enter the SIP address and password you got from your provider or administrator.
form-title-edit = Edit account
form-intro-edit = Change the settings of this account. Hark connects again when you save.
form-address-label = SIP address
form-address-placeholder = alice@example.com
form-password-label = Password
form-password-placeholder = Your password
form-server-label = Server or proxy (optional)
form-server-placeholder = sip.example.com:5060
form-server-hint = Leave this empty to use the server named in your address.
form-transport-label = Transport
transport-udp = UDP
transport-tcp = TCP
form-connect = Connect
form-save = Save and connect
form-cancel = Cancel

## What is wrong with a field of the form, shown under it.

form-error-address-empty = Enter your SIP address, like alice@example.com
form-error-address-format = Enter an address like alice@example.com
form-error-address-no-user = Put your user name before the @, like alice@example.com
form-error-address-host = The part after the @ is not a valid server name.
form-error-port = The port must be a number from 1 to 65535.
form-error-password-empty = Enter your password.
form-error-server-host = Enter a server name or IP address, like sip.example.com

## Own status, at the top of the contact list

own-available = Available
own-away = Away
own-busy = Busy
own-dnd = Do not disturb
own-invisible = Appear offline
own-note-placeholder = What are you up to? (press Enter)

## Contact list

contacts-search-placeholder = Search contacts
contacts-add = Add contact
contacts-add-title = Add a contact
contacts-add-address = SIP address, like bob@example.com
contacts-add-name = Name (optional)
contacts-add-group = Group (optional)
contacts-add-account = Add to account
contacts-add-submit = Add
# $message comes from the engine and may be in English.
contacts-add-error = Could not add this contact: { $message }
contacts-cancel = Cancel
contacts-save = Save
# Heading of contacts that are in no group.
contacts-ungrouped = Contacts
# $online of $total contacts in a group are online.
contacts-group-count = { $online }/{ $total }
contacts-empty = No contacts yet. Add people with “Add contact”.
contacts-no-match = No contact matches “{ $filter }”.

## A contact's availability in words, when they left no note.

presence-available = Available
presence-away = Away
presence-busy = Busy
presence-in-a-meeting = In a meeting
presence-on-the-phone = On the phone
presence-dnd = Do not disturb
presence-forwarded = Calls forwarded
presence-offline = Offline
presence-unknown = Status unknown

## Special states next to a contact

contact-badge-pending = Waiting for approval
contact-badge-refused = Not shared with you
contact-badge-in-call = In a call
contact-badge-ringing = Ringing

## Right-click menu on a contact

contact-action-message = Send message
contact-action-call = Call
contact-action-video = Video call
contact-action-email = Send email
contact-action-rename = Rename…
contact-action-move = Move to group…
contact-action-remove = Remove contact
contact-action-copy = Copy address
contact-rename-title = Rename contact
contact-move-title = Move to group

## People who want to see your status

# $name: their name or address.
watcher-asks = { $name } wants to see your status.
watcher-allow = Allow
watcher-block = Block
watcher-ignore = Ignore

## Unread chat messages next to a contact

# $count: how many messages from them are unread.
contact-unread = { $count }

## Chat window

# Window title; $name: the contact's name or address.
chat-window-title = { $name } – Hark
# Time of a message, as a strftime pattern (https://docs.rs/chrono/latest/chrono/format/strftime/).
chat-time-format = %-I:%M %p
# A day longer than a week ago, as a strftime pattern.
chat-date-format = %B %-d, %Y
chat-today = Today
chat-yesterday = Yesterday
chat-weekday-mon = Monday
chat-weekday-tue = Tuesday
chat-weekday-wed = Wednesday
chat-weekday-thu = Thursday
chat-weekday-fri = Friday
chat-weekday-sat = Saturday
chat-weekday-sun = Sunday
# Who wrote a message: the user.
chat-you = You
# $name: the contact's name.
chat-typing = { $name } is typing…
chat-someone-typing = Someone is typing…
chat-search = Search
chat-search-placeholder = Search this chat
chat-call = Call
chat-load-older = Load older messages
chat-loading = Loading…
chat-empty = No messages yet. Say hello!
chat-copy = Copy
chat-copied = Copied
chat-composer-placeholder = Write a message
chat-send = Send
chat-send-hint = Enter sends, Shift+Enter starts a new line.
# $message comes from the engine and may be in English.
chat-send-refused = Could not send this message: { $message }
# $reason comes from the engine and may be in English.
chat-failed = Not sent: { $reason }
chat-failed-unknown = Not sent.
chat-retry = Retry
# $reason comes from the engine and may be in English.
chat-queued = Waiting to be sent: { $reason }
chat-queued-offline = Waiting to be sent when Hark is connected.
chat-send-now = Send now
# What the marks next to a sent message mean.
chat-state-queued = Waiting to be sent
chat-state-sending = Sending…
chat-state-sent = Sent
chat-state-stored = Stored for later delivery
chat-state-delivered = Delivered
chat-state-read = Read
chat-state-failed = Not sent
# $name: the sender; $room: the room's address.
chat-notification-room = { $name } in { $room }

## Group chat rooms

chat-room-members = { $count ->
    [one] 1 member
   *[other] { $count } members
}
chat-members-heading = Members ({ $count })
chat-members-toggle = Members
chat-invite-placeholder = bob@example.com
chat-invite = Invite
chat-leave = Leave the room
chat-menu = Menu
chat-menu-new-room = New group chat…
chat-menu-search = Search messages…
room-new-title = New group chat
room-new-placeholder = Room name, like team
room-new-invalid = A room name has no spaces; an address looks like team@conference.example.com
room-new-create = Create
# $name: who invited the user; $room: the room's address.
room-invitation-by = { $name } invites you to the group chat { $room }.
room-invitation = You are invited to the group chat { $room }.
room-join = Join
# Title of the desktop notification for an invitation.
room-invitation-title = Invitation to a group chat

## Searching messages

search-window-title = Search messages – Hark
search-title = Search messages
search-placeholder = Words to find in all chats
search-submit = Search
search-intro = Finds the messages of every chat that contain all the words you type.
search-waiting = Searching…
# $query: what the user searched for.
search-none = No message contains “{ $query }”.
search-count = { $count ->
    [one] 1 message contains “{ $query }”
   *[other] { $count } messages contain “{ $query }”
}
search-close = Back to the chat
# $name: the chat's contact.
search-you-to = You to { $name }
# $name: who wrote it; $room: the room.
search-in-room = { $name } in { $room }

# Why a message was not sent (or waits); the server's words follow in brackets.
chat-failure-not-found = there is no such user
chat-failure-offline = they are not online and the server keeps no messages
chat-failure-busy = they are busy
chat-failure-refused = refused
chat-failure-no-answer = their device did not answer
chat-failure-not-accepted = their client cannot take this message
chat-failure-unreachable = the server did not answer
chat-failure-not-registered = not connected to the server yet
chat-failure-server-error = the server has a problem
chat-failure-other = it did not go through

## Call settings: devices, voicemail, forwarding

settings-window-title = Call settings – Hark
# The entry of the main window's "⋯" menu.
menu-call-settings = Call settings…
settings-title = Call settings
settings-devices = Sound devices
settings-microphone = Microphone
settings-speaker = Speaker
settings-ringer = Ringer
settings-refresh = Refresh
settings-refresh-tip = Look for microphones and speakers again (after plugging in a headset)
settings-devices-loading = Looking for sound devices…
# $message comes from the engine and may be in English.
settings-devices-error = No sound devices: { $message }
# Entries of the device lists.
device-default = System default
device-off = Off
# A device chosen earlier that is not plugged in now; $device: its id.
device-missing = { $device } (not connected)
# A chosen device that is not plugged in; $device: its id.
settings-device-missing-note = { $device } is not connected: calls use the system default until it is back.
settings-voicemail = Voicemail
settings-voicemail-label = Voicemail number
settings-voicemail-placeholder = Number or address, like *98
settings-voicemail-hint = Calls you send to voicemail go there, and calls while you are on Do not disturb.
settings-forwarding = Call forwarding
settings-forward-always = Forward all calls to
settings-forward-busy = When busy, forward to
settings-forward-no-answer = When not answered, forward to
settings-forward-placeholder = Number or address (empty: off)
# Around the ring time: "… after [20] seconds".
settings-forward-after = after
settings-forward-seconds = seconds
# $max: the longest ring time.
settings-forward-seconds-invalid = Enter a number of seconds from 1 to { $max }.
settings-dnd-note = Do not disturb (your own status) comes first: while it is on, calls are not forwarded; they go to your voicemail, or the caller hears busy.
settings-loading = Loading the settings…
# $message comes from the engine and may be in English.
settings-error = The settings were not saved: { $message }
settings-cancel = Cancel
settings-save = Save
settings-saving = Saving…

## Calls: starting one from the main window

dial-placeholder = Call a number, name or address
dial-call = Call what you typed (Enter)
dial-keypad = Keypad
# Tooltip of the dial field.
dial-tip = Type a number, a user name or an address like bob@example.com; Enter calls (Ctrl+D goes here).
# $message comes from the engine and may be in English.
dial-error = Could not call: { $message }
# The badge in the main window; clicking it clears it.
calls-missed = { $count ->
    [one] 1 missed call
   *[other] { $count } missed calls
}
# Tooltip of the badge; $names: who called, newest first.
calls-missed-tip = Missed: { $names }. Click to see them in the call history.
# A call in progress, listed in the main window.
calls-show = Show
calls-show-tip = Show the window of this call
# The call button of a chat window; $name: the contact.
chat-call-tip = Call { $name } (Alt+C)

## Calls: the incoming-call pop-up

# Window title; $name: the caller's name or address.
incoming-window-title = Call from { $name } – Hark
call-incoming = Incoming call
# Which of the user's accounts is called, when there are several.
call-incoming-to = to { $account }
call-accept = Accept
call-decline = Decline
call-voicemail = To voicemail
call-accept-tip = Answer the call (Enter or Alt+A)
call-decline-tip = Refuse the call (Alt+D)
call-voicemail-tip = Send the caller to your voicemail (Alt+V)
# Desktop notifications.
call-notification-title = Incoming call
# $name: the caller's name; $address: their address.
call-notification-body = { $name } ({ $address }) is calling you.
call-missed-title = Missed call
call-missed-body = { $name } ({ $address }) called you.

## Calls: the call window

# Window title; $name: the other person's name or address.
call-window-title = Call with { $name } – Hark
call-phase-calling = Calling…
call-phase-ringing = Ringing…
call-phase-incoming = Incoming call
call-phase-connecting = Connecting…
call-phase-active = Connected
call-phase-on-hold = On hold
# Why a call ended. $name: the other person; $direction: incoming or outgoing.
call-end-hangup = Call ended
call-end-remote-hangup = { $name } hung up
call-end-busy = { $name } is busy
call-end-declined = { $direction ->
    [incoming] You declined the call
   *[other] { $name } declined the call
}
call-end-not-found = There is no one at this number or address
call-end-no-answer = No answer
call-end-cancelled = { $direction ->
    [incoming] Missed call: { $name } hung up before you answered
   *[other] Call cancelled
}
call-end-refused = The call was refused
call-end-failed = The call could not be made
call-end-no-ack = The call could not be set up
call-end-session-expired = The connection was lost
call-end-media-failed = The sound could not be started
call-end-forwarded = Forwarded
call-end-answered-elsewhere = Answered on another device
call-end-transferred = Call transferred
call-end-other = Call ended
# Technical details under the reason ($detail may be in English).
call-end-detail = Details: { $detail }
call-mute = Mute
call-unmute = Unmute
call-hold = Hold
call-resume = Resume
call-keypad = Keypad
call-keypad-hide = Hide keypad
call-transfer = Transfer
call-transfer-tip = Pass the call on to someone else (Alt+T)
# The transfer form; $name: the other person of the call.
call-transfer-title = Transfer { $name } to:
call-transfer-placeholder = Number, name or address
call-transfer-submit = Transfer
call-transfer-invalid = Enter a number, a user name or an address like bob@example.com.
call-transfer-with = Or put { $name } through to a call you have:
call-transfer-connect = Connect
call-transfer-cancel = Cancel
call-hangup = Hang up
call-close = Close
call-info = Call info
call-mute-tip = Switch your microphone off or on (Alt+M)
call-hold-tip = Put the call on hold or take it back (Alt+H)
call-keypad-tip = Send tones 0–9, * and # (Alt+K; digits on the keyboard work too)
call-hangup-tip = End the call (Alt+E)
call-info-tip = Codec and connection figures (Alt+I)
call-muted = Your microphone is off
call-devices = Sound devices
call-devices-tip = Switch the call's microphone or speaker (remembered for the next calls)
# Where our call rings after the person called forwarded it; $address: without "sip:".
call-forwarded-to = Forwarded to { $address }
# $keys: the keys the other side pressed.
call-keys-received = They pressed: { $keys }
call-keypad-hint = Type digits, * or # on the keyboard too.
call-quality-good = Good connection
call-quality-fair = Fair connection
call-quality-poor = Poor connection
call-quality-waiting = Measuring the connection…
# The call-info panel; numbers come formatted.
call-info-codec = Codec: { $codec }
call-info-loss = Packets lost: { $percent } %
call-info-remote-loss = Lost on their side: { $percent } %
call-info-jitter = Jitter: { $ms } ms
call-info-rtt = Round trip: { $ms } ms
call-info-packets = Packets: { $sent } sent, { $received } received
call-info-concealed = Gaps filled: { $count }
# The decimal separator in figures such as 1.5 %.
decimal-separator = .

## Calls: the call history window

history-window-title = Call history – Hark
history-title = Call history
# Tooltip of the button beside the dial field that opens the window.
history-open-tip = Call history: calls placed, received and missed
history-filter-all = All
history-filter-missed = Missed
history-filter-placed = Placed
history-filter-received = Received
history-text-placeholder = Filter by name or address
history-loading = Loading…
history-load-older = Load older calls
history-load-older-tip = Show the calls before these
history-empty = No calls yet.
history-empty-missed = No missed calls.
history-empty-placed = No calls placed yet.
history-empty-received = No calls received yet.
# $text: what was typed into the filter.
history-no-match = No calls with “{ $text }”.
# $message: why, in the engine's words.
history-error = The call history could not be read: { $message }
# The kind of a call, on its row.
history-placed = Placed
history-received = Received
history-missed = Missed
history-in-progress = In progress
# Why a call that was not answered ended, after its kind: "Placed · Busy".
history-end-busy = Busy
history-end-declined = Declined
history-end-not-found = Not found
history-end-failed = Failed
history-end-forwarded = Forwarded
history-end-dnd = Do not disturb
history-end-answered-elsewhere = Answered elsewhere
history-end-interrupted = Interrupted
history-end-no-answer = No answer
history-end-cancelled = Cancelled
# Tooltip of a row's call button; $name: the other person; $address: their address.
history-call-back-tip = Call { $name } back ({ $address })

## Voicemail indicator in the main window's header

# $new, $old: how many voice messages are new and old.
voicemail-counts = { $new } new, { $old } old voice messages
# Tooltip; $counts: voicemail-counts; $pilot: the voicemail number.
voicemail-tip = { $counts }. Click to listen (calls { $pilot }).
voicemail-tip-no-pilot = { $counts }. No voicemail number is set, so Hark cannot call your voicemail.
