//! The engine's public vocabulary: the commands it takes and the events it
//! emits. Both are plain serde types so that the window, the headless JSON
//! lines mode and the control socket all speak the same language
//! (see `docs/control-protocol.md`).

use serde::{Deserialize, Serialize};

use crate::config::AccountConfig;

pub use super::api_calls::{
    AudioDevice, CallAction, CallDirection, CallPhase, CallQualityView, CallView,
};

/// What someone (the window, a script, a test) asks the engine to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// Answer with a `pong` event; used to check the engine is alive.
    Ping,
    /// Emit the current `account_state` of every account and the own status.
    Snapshot,
    /// Add an account, or replace the one with the same address, and register it.
    SetAccount {
        account: AccountConfig,
        /// Also keep it in the config file (the first-run form does this).
        #[serde(default)]
        save: bool,
    },
    /// (Re-)register an account that is idle or failed.
    Register { account: String },
    /// Remove the registration of an account (REGISTER with Expires: 0).
    Unregister { account: String },
    /// Set the user's own status and note; kept across restarts.
    SetStatus {
        availability: Availability,
        #[serde(default)]
        note: Option<String>,
    },
    /// Add a contact to an account's list (or change its name and group)
    /// and watch its presence.
    AddContact { account: String, contact: Contact },
    /// Remove a contact from an account's list and stop watching it.
    RemoveContact { account: String, uri: String },
    /// Decide whether a watcher may see our presence; written to the
    /// server's presence rules (XCAP pres-rules).
    DecideWatcher {
        account: String,
        watcher: String,
        decision: WatcherDecision,
    },
    /// Send a chat message (text/plain). It is kept in the history first,
    /// then sent; a `message` event follows at once and on every change of
    /// its state. `message_id` (optional) makes a repeat of the same command
    /// harmless: the second one is recognised and not sent again.
    SendMessage {
        account: String,
        /// A contact's address or a group-chat room.
        to: String,
        body: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    /// Send a failed (or queued) message again, with the same message id.
    /// `message` is the history's id of the message (`ChatMessage::id`).
    RetryMessage { account: String, message: i64 },
    /// The user is typing to `to` (`active`), or stopped / cleared the
    /// composer (RFC 3994 isComposing; refreshed and timed out by the engine).
    Typing {
        account: String,
        to: String,
        #[serde(default = "yes")]
        active: bool,
    },
    /// The user has seen a chat: read notifications (IMDN) go to those who
    /// asked for them.
    MarkRead { account: String, peer: String },
    /// Up to `limit` (default 50) messages of a chat, newest last; with
    /// `before` (a message id) the ones just before it. Answered by a
    /// `history` event.
    History {
        account: String,
        peer: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<usize>,
    },
    /// Messages containing every word of `query`, in one chat (`peer`) or
    /// all of an account's chats. Answered by a `search_results` event.
    SearchMessages {
        account: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        peer: Option<String>,
        query: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<usize>,
    },
    /// Ask the window to open (or raise) the chat with `peer`; `hark chat`
    /// sends this. Emitted back as an `open_chat` event.
    OpenChat {
        account: Option<String>,
        peer: String,
    },
    /// Group chat on the server's conference service (Kamailio imc).
    Room {
        account: String,
        /// The room's address, `sip:team@conference.example.com`.
        room: String,
        action: RoomAction,
    },
    /// Place a call to `uri` from `account` (the first account when absent).
    /// A `call` event with the new call's id follows at once.
    Call {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<String>,
        uri: String,
    },
    /// Act on a call: answer, hang up, hold, send keys...
    CallControl { call: String, action: CallAction },
    /// The call history, newest first, a page at a time (answered by a
    /// `call_history` event); `before` is the last call of the page shown.
    CallHistory {
        #[serde(default)]
        filter: crate::store::calls::CallFilter,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<crate::store::calls::CallCursor>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<usize>,
    },
    /// The user has seen the missed calls (of `account`, or all).
    MarkCallsSeen {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        account: Option<String>,
    },
    /// Replace the `[calls]` settings (devices, ringer, voicemail pilot,
    /// forwarding, codecs...). New calls use them at once and calls in
    /// progress move to the chosen microphone and speaker; `save` also
    /// writes them to the config file. A `call_settings` event follows.
    SetCallSettings {
        settings: crate::config::CallSettings,
        #[serde(default)]
        save: bool,
    },
    /// List the microphones and speakers (answered by `audio_devices`).
    AudioDevices,
    /// Unregister every account and stop the engine.
    Quit,
}

fn yes() -> bool {
    true
}

/// What to do with a group-chat room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum RoomAction {
    /// Create the room (we become its owner and first member).
    Create,
    /// Join an existing room (or accept an invitation to it).
    Join,
    /// Leave the room.
    Leave,
    /// Invite someone; they see an invitation they can accept by joining.
    Invite { uri: String },
    /// Ask for the member list (answered by a `room_members` event).
    Members,
}

/// Where a chat message stands (see `store::messages::MessageState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatState {
    /// Waiting to go out (not registered, network down); goes by itself.
    Queued,
    Sending,
    /// Accepted by the peer (200).
    Sent,
    /// Accepted by the server for a peer who is offline (202).
    Stored,
    /// The peer's device has it (IMDN).
    Delivered,
    /// The peer has read it (IMDN).
    Displayed,
    /// Did not go through; `failure` says why; `retry_message` sends it again.
    Failed,
    /// A message we received.
    Received,
}

impl ChatState {
    /// The wire name (JSON, and the history's `state` column).
    pub fn as_str(self) -> &'static str {
        match self {
            ChatState::Queued => "queued",
            ChatState::Sending => "sending",
            ChatState::Sent => "sent",
            ChatState::Stored => "stored",
            ChatState::Delivered => "delivered",
            ChatState::Displayed => "displayed",
            ChatState::Failed => "failed",
            ChatState::Received => "received",
        }
    }

    /// Reads a wire name.
    pub fn parse(s: &str) -> Option<ChatState> {
        [
            ChatState::Queued,
            ChatState::Sending,
            ChatState::Sent,
            ChatState::Stored,
            ChatState::Delivered,
            ChatState::Displayed,
            ChatState::Failed,
            ChatState::Received,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// One chat message as front ends show it. Times are milliseconds since
/// the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// The history's id (stable; used by `retry_message` and `history`).
    pub id: i64,
    /// The chat: a contact's address or a room.
    pub peer: String,
    /// True for a message we sent.
    pub outgoing: bool,
    /// Who wrote it (in a room: the member; else the peer or us).
    pub sender: String,
    /// The text, exactly as typed or received; never markup.
    pub body: String,
    /// When it was written (the sender's time for offline messages).
    pub sent_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<i64>,
    pub state: ChatState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

/// A search result: the message and a plain-text snippet around the match,
/// each matched word between U+0002 and U+0003.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub message: ChatMessage,
    pub snippet: String,
}

/// A change to a contact list, as queued for the server's copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum ContactEdit {
    /// Add the contact, or set its name and group.
    Set { contact: Contact },
    /// Remove the contact.
    Remove { uri: String },
}

/// What a watcher of our presence is allowed (RFC 5025 sub-handling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatcherDecision {
    /// They see our presence.
    Allow,
    /// Refused; they are told so.
    Block,
    /// Refused, but they are shown us as offline and are not told.
    PoliteBlock,
}

/// Someone who subscribed to our presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatcherView {
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// pending, active, waiting or terminated (RFC 3858).
    pub status: String,
}

/// A person on the user's contact list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Their SIP address, `sip:bob@example.com`.
    pub uri: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A command with an optional correlation id, as it arrives on a JSON line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Echoed in the `ok` or `error` event that answers this command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    #[serde(flatten)]
    pub command: Command,
}

impl From<Command> for Envelope {
    fn from(command: Command) -> Self {
        Envelope { id: None, command }
    }
}

/// The user's own availability, as chosen by hand (SPEC P4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    #[default]
    Available,
    Away,
    Busy,
    DoNotDisturb,
    Invisible,
}

impl Availability {
    pub const ALL: [Availability; 5] = [
        Availability::Available,
        Availability::Away,
        Availability::Busy,
        Availability::DoNotDisturb,
        Availability::Invisible,
    ];

    /// The wire name, as used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Available => "available",
            Availability::Away => "away",
            Availability::Busy => "busy",
            Availability::DoNotDisturb => "do_not_disturb",
            Availability::Invisible => "invisible",
        }
    }

    /// Parses the wire name, also accepting `dnd` and dashes for underscores.
    pub fn parse(s: &str) -> Option<Availability> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        match s.as_str() {
            "dnd" => Some(Availability::DoNotDisturb),
            "offline" => Some(Availability::Invisible),
            _ => Availability::ALL.into_iter().find(|a| a.as_str() == s),
        }
    }
}

/// Registration state of one account, as the user should see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RegistrationState {
    /// Not registered and not trying (before start, or after unregistering).
    Unregistered,
    /// A REGISTER is under way.
    Registering,
    /// The registrar accepted us; `expires` is the granted lifetime in seconds.
    Registered { expires: u32 },
    /// Something went wrong; we try again by ourselves in `retry_in_ms`.
    Retrying {
        reason: FailureReason,
        retry_in_ms: u64,
    },
    /// Something went wrong that only the user can fix (password, user name).
    Failed { reason: FailureReason },
}

/// Why a registration did not work, in terms a person can act on.
/// The UI turns `kind` into a translated sentence; `detail` carries the
/// technical specifics (status line, OS error) for logs and tooltips.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureReason {
    pub kind: FailureKind,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The server rejected our credentials (401/407 after we answered, 403).
    WrongPassword,
    /// The server does not know this user (404).
    UnknownUser,
    /// The server refused us for another reason (403 and the like).
    Forbidden,
    /// No answer from the server in time.
    Timeout,
    /// The server refused the connection (nothing listens there).
    ConnectionRefused,
    /// The server's name could not be resolved.
    NameNotFound,
    /// We were registered, then lost the server (connection closed, keep-alive unanswered).
    ServerLost,
    /// The server answered with an error (5xx, 4xx we don't handle).
    ServerError,
    /// A local network problem (no route, socket error).
    Network,
    /// No password is known for this account.
    NoPassword,
    /// The account settings are not usable (bad address, bad server).
    BadSettings,
}

impl FailureKind {
    /// True when retrying without the user changing something is pointless.
    pub fn needs_user(self) -> bool {
        matches!(
            self,
            FailureKind::WrongPassword
                | FailureKind::UnknownUser
                | FailureKind::Forbidden
                | FailureKind::NoPassword
                | FailureKind::BadSettings
        )
    }
}

/// Something that happened, for whoever listens (window, script, test).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The engine is up; lists the accounts it knows.
    Started { accounts: Vec<String> },
    /// A command was taken.
    Ok {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<serde_json::Value>,
    },
    /// A command could not be taken; `message` says why. The engine keeps running.
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<serde_json::Value>,
        kind: ErrorKind,
        message: String,
    },
    /// Answer to `ping`.
    Pong {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<serde_json::Value>,
    },
    /// An account's registration state changed.
    AccountState {
        account: String,
        #[serde(flatten)]
        state: RegistrationState,
    },
    /// An account's settings (never its password), at `snapshot` and after
    /// `set_account`, so a front end can show and edit them.
    AccountSettings { account: Box<AccountConfig> },
    /// The user's own status changed.
    OwnStatus {
        availability: Availability,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Something the user should know but that is not an error of a command
    /// (config warnings, password kept in the config file...).
    Warning { message: String },
    /// An account's contact list (at `snapshot` and after every change).
    Contacts {
        account: String,
        contacts: Vec<Contact>,
    },
    /// Contacts' presence changed (several at once under load).
    Presence {
        account: String,
        updates: Vec<PresenceUpdate>,
    },
    /// Who watches the user's presence (the whole set, after each change);
    /// those `pending` wait for a `decide_watcher`.
    Watchers {
        account: String,
        watchers: Vec<WatcherView>,
    },
    /// The state of the publication of the user's own status on an account.
    Publication {
        account: String,
        #[serde(flatten)]
        state: crate::sip::publication::PublicationState,
    },
    /// A chat message was stored, sent, received or changed state.
    Message {
        account: String,
        message: Box<ChatMessage>,
    },
    /// A peer started or stopped typing to us (RFC 3994).
    Typing {
        account: String,
        peer: String,
        typing: bool,
    },
    /// Answer to `history`: messages in time order, newest last; `more`
    /// when older ones exist.
    History {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<serde_json::Value>,
        account: String,
        peer: String,
        messages: Vec<ChatMessage>,
        more: bool,
    },
    /// Answer to `search_messages`, best first.
    SearchResults {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<serde_json::Value>,
        account: String,
        query: String,
        hits: Vec<SearchHit>,
    },
    /// A front end should open (or raise) this chat.
    OpenChat { account: String, peer: String },
    /// A group chat's members (after `members`, or as the server tells).
    RoomMembers {
        account: String,
        room: String,
        members: Vec<String>,
    },
    /// Someone invited us to a room; `room` with `join` accepts.
    RoomInvitation {
        account: String,
        room: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// A call started or changed (sent whole each time).
    Call { call: Box<CallView> },
    /// Media figures of a call in progress (every few seconds).
    CallQuality {
        #[serde(flatten)]
        quality: CallQualityView,
    },
    /// The peer of a call pressed a key (RFC 4733).
    DtmfReceived { call: String, key: char },
    /// Answer to `call_history`: calls newest first; `more` when older
    /// ones exist; `missed_unseen`: missed calls not yet seen (all accounts).
    CallHistory {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<serde_json::Value>,
        calls: Vec<crate::store::calls::CallRecord>,
        more: bool,
        missed_unseen: u64,
    },
    /// The `[calls]` settings in force (at `snapshot` and after every
    /// change).
    CallSettings {
        settings: Box<crate::config::CallSettings>,
    },
    /// Answer to `audio_devices`: the sound devices there are; `error`
    /// says why there are none (no sound system).
    AudioDevices {
        inputs: Vec<AudioDevice>,
        outputs: Vec<AudioDevice>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// The account's voicemail box (RFC 3842): messages waiting, and the
    /// voice messages new and old.
    Voicemail {
        account: String,
        waiting: bool,
        new: u32,
        old: u32,
    },
    /// The engine has stopped (after `quit`); nothing follows.
    Stopped,
}

/// What is known of one contact's presence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PresenceUpdate {
    pub contact: String,
    pub availability: ContactAvailability,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activities: Vec<String>,
    #[serde(default)]
    pub capabilities: Capabilities,
    /// The state of our subscription to them.
    pub subscription: crate::sip::subscription::SubscriptionState,
    /// Their phone line (busy lamp, RFC 4235), when watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<LineState>,
}

/// A contact's phone line, from the dialog event package (SPEC P11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    Idle,
    /// Placing a call.
    Dialing,
    /// A call is ringing in.
    Ringing,
    InCall,
}

/// One availability per contact, aggregated over their devices (SPEC P6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactAvailability {
    DoNotDisturb,
    Forwarded,
    OnThePhone,
    Busy,
    InAMeeting,
    Away,
    Available,
    Offline,
    /// No usable presence (not subscribed yet, refused, bad document).
    #[default]
    Unknown,
}

/// What a contact can take now (SPEC P7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    pub voice: bool,
    pub video: bool,
    pub im: bool,
    pub email: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The line was not valid JSON.
    BadJson,
    /// Valid JSON, but not a command we know (or missing/extra fields).
    UnknownCommand,
    /// A known command whose arguments don't make sense (bad URI, no such account).
    BadArgument,
    /// The engine could not carry the command out (disk, network).
    Failed,
}
