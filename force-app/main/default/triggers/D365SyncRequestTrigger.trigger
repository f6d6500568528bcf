/**
 * @description Subscriber of D365_Sync_Request__e; all logic is in D365SyncRequestTriggerHandler.
 */
trigger D365SyncRequestTrigger on D365_Sync_Request__e(after insert) {
    new D365SyncRequestTriggerHandler().run();
}
