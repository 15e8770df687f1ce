-- One login role and one database per service and for the gateway: services share no database.
-- The official postgres image runs this once, when its data volume is first initialised, as the
-- superuser with ON_ERROR_STOP. Each password comes from the container's environment (psql's
-- \getenv); a missing one leaves the variable unset and the statement fails, so initialisation stops.
\set ON_ERROR_STOP on

\getenv gateway_password GATEWAY_DB_PASSWORD
CREATE ROLE bianmin_gateway LOGIN PASSWORD :'gateway_password';
CREATE DATABASE bianmin_gateway OWNER bianmin_gateway;
REVOKE ALL ON DATABASE bianmin_gateway FROM PUBLIC;

\getenv catalog_password CATALOG_DB_PASSWORD
CREATE ROLE bianmin_catalog LOGIN PASSWORD :'catalog_password';
CREATE DATABASE bianmin_catalog OWNER bianmin_catalog;
REVOKE ALL ON DATABASE bianmin_catalog FROM PUBLIC;

\getenv queue_password QUEUE_DB_PASSWORD
CREATE ROLE bianmin_queue LOGIN PASSWORD :'queue_password';
CREATE DATABASE bianmin_queue OWNER bianmin_queue;
REVOKE ALL ON DATABASE bianmin_queue FROM PUBLIC;

\getenv consult_password CONSULT_DB_PASSWORD
CREATE ROLE bianmin_consult LOGIN PASSWORD :'consult_password';
CREATE DATABASE bianmin_consult OWNER bianmin_consult;
REVOKE ALL ON DATABASE bianmin_consult FROM PUBLIC;

\getenv bidding_password BIDDING_DB_PASSWORD
CREATE ROLE bianmin_bidding LOGIN PASSWORD :'bidding_password';
CREATE DATABASE bianmin_bidding OWNER bianmin_bidding;
REVOKE ALL ON DATABASE bianmin_bidding FROM PUBLIC;

\getenv guarantee_password GUARANTEE_DB_PASSWORD
CREATE ROLE bianmin_guarantee LOGIN PASSWORD :'guarantee_password';
CREATE DATABASE bianmin_guarantee OWNER bianmin_guarantee;
REVOKE ALL ON DATABASE bianmin_guarantee FROM PUBLIC;

\getenv credit_password CREDIT_DB_PASSWORD
CREATE ROLE bianmin_credit LOGIN PASSWORD :'credit_password';
CREATE DATABASE bianmin_credit OWNER bianmin_credit;
REVOKE ALL ON DATABASE bianmin_credit FROM PUBLIC;

\getenv webhooks_password WEBHOOKS_DB_PASSWORD
CREATE ROLE bianmin_webhooks LOGIN PASSWORD :'webhooks_password';
CREATE DATABASE bianmin_webhooks OWNER bianmin_webhooks;
REVOKE ALL ON DATABASE bianmin_webhooks FROM PUBLIC;
