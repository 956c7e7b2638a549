// Every GraphQL document the UI sends, one named constant each: tests/e2e/test_ui.py reads this file and runs
// each document against the real API, so a schema change that would break the UI fails the test suite.

export const SEARCH_ORGANIZATIONS = `query SearchOrganizations($search: String, $first: Int = 20, $after: String) {
  organizations(search: $search, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name domains } }
  }
}`;

export const ORGANIZATION_OVERVIEW = `query OrganizationOverview($id: ID!) {
  organization(id: $id) {
    id name createdAt domains
    traits { name value source }
    records { kind source sourceId }
    parent { id name }
    subsidiaries { id name }
    opportunities { id source sourceId name stage amount currency closeDate contactCount }
  }
}`;

export const ORGANIZATION_CONTACTS = `query OrganizationContacts($id: ID!, $first: Int = 50, $after: String) {
  organization(id: $id) {
    id
    contacts(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          title department seniority titleRole
          profile { id traits(names: ["first_name", "last_name"]) { name value } }
        }
      }
    }
  }
}`;

export const ORGANIZATION_ENGAGEMENT = `query OrganizationEngagement($id: ID!, $windowDays: Int, $asOf: DateTime) {
  organization(id: $id) {
    id
    engagement(windowDays: $windowDays, asOf: $asOf) {
      score lastEngagedAt engagedContacts totalContacts asOf windowDays
      activities { type count }
    }
  }
}`;

export const BUYING_COMMITTEE = `query BuyingCommittee($id: ID!, $opportunityId: ID, $windowDays: Int, $asOf: DateTime) {
  organization(id: $id) {
    id
    buyingCommittee(opportunityId: $opportunityId, windowDays: $windowDays, asOf: $asOf) {
      completeness missingRoles asOf windowDays
      opportunity { id name stage }
      members {
        profile { id traits(names: ["first_name", "last_name"]) { name value } }
        title role roleSource confidence engagementScore lastEngagedAt quiet
      }
      quietMembers { profile { id } }
    }
  }
}`;

export const ACCOUNT_GRAPH = `query AccountGraph($id: ID!, $depth: Int! = 1) {
  organization(id: $id) {
    id
    accountGraph(depth: $depth) {
      truncated
      nodes { id kind label depth }
      edges { source target type role }
    }
  }
}`;

export const PROFILE = `query Profile($id: ID!, $events: Int = 20) {
  profile(id: $id) {
    id createdAt
    traits { name value source policy }
    identifiers { kind value system }
    records { kind source sourceId }
    organizations { id name }
    events(first: $events) {
      edges { node { type timestamp channel source sourceId amount currency } }
    }
  }
}`;
