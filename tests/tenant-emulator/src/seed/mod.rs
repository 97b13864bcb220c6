//! The seeded tenant content: users/mailboxes, mobile devices, groups and sign-in events,
//! immutable after start so every page is served from shared data by index.

mod devices;
mod groups;
mod names;
pub mod policies;
pub mod signins;
mod users;

pub use devices::{Device, DevicesByUser};
pub use groups::Group;
pub use signins::{OUTLOOK_MOBILE_APP_ID, SignIn, SignIns, TransferMethod};
pub use users::{User, UserIndex, escape_rdn};

use crate::tenant::Tenant;

#[derive(Debug)]
pub struct SeedData {
    pub users: Vec<User>,
    pub user_index: UserIndex,
    pub devices: Vec<Device>,
    pub devices_by_user: DevicesByUser,
    pub groups: Vec<Group>,
    pub signins: SignIns,
}

impl SeedData {
    /// `anchor` (Unix seconds, the emulator clock at start-up) dates the sign-in events.
    pub fn generate(seed: u64, users: usize, devices: usize, tenant: &Tenant, anchor: i64) -> Self {
        // Devices and sign-ins need only the user count, so they are generated on a second
        // thread while the users (the slower half) are.
        let user_count = users.max(1);
        let ((users, user_index), (devices, devices_by_user, signins)) = std::thread::scope(|s| {
            let device_side = s.spawn(|| {
                let devices = devices::generate_devices(seed, devices, user_count);
                let by_user = DevicesByUser::build(&devices, user_count);
                let signins =
                    signins::generate_signins(seed, user_count, &devices, &by_user, anchor);
                (devices, by_user, signins)
            });
            let users = users::generate_users(seed, user_count, tenant);
            match device_side.join() {
                Ok(device_side) => (users, device_side),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        let groups = groups::generate_groups(seed, users.len());
        Self {
            users,
            user_index,
            devices,
            devices_by_user,
            groups,
            signins,
        }
    }

    pub fn group(&self, id: &str) -> Option<&Group> {
        let id = uuid::Uuid::parse_str(id.trim()).ok()?;
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn user(&self, index: u32) -> Option<&User> {
        self.users.get(index as usize)
    }

    pub fn user_by_id_or_upn(&self, key: &str) -> Option<u32> {
        if let Ok(id) = uuid::Uuid::parse_str(key) {
            return self.user_index.by_id.get(&id).copied();
        }
        self.user_index.by_upn.get(&key.to_lowercase()).copied()
    }
}
