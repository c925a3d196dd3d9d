"""Namespaces: the WPS ontology as a closed rdflib namespace, and the vocabularies we reuse."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/nap-graph/def/wps"
SHAPES_IRI = "https://w3id.org/nap-graph/def/shapes"


class WPS(DefinedNamespace):
    """The terms of ontology/wps.ttl; a test keeps this list and the file in step."""

    _fail = True
    _NS = Namespace(ONTOLOGY_IRI + "#")

    Adopted: URIRef
    AllUniformedPersonnel: URIRef
    Claim: URIRef
    ClimateSecurity: URIRef
    ConflictRelatedSexualViolence: URIRef
    ContextStatement: URIRef
    ContributionsByCountryContributorKey: URIRef
    ContributionsByCountryStructure: URIRef
    ContributionsByMissionContributorKey: URIRef
    ContributionsByMissionMissionKey: URIRef
    ContributionsByMissionStructure: URIRef
    Country: URIRef
    CountryStatus: URIRef
    CountryStatusScheme: URIRef
    CuratorDecision: URIRef
    CyberSecurity: URIRef
    DerivedFromFocusAreas: URIRef
    DisarmamentAndSmallArms: URIRef
    DomesticScope: URIRef
    ExpertsOnMission: URIRef
    ExtensionClaim: URIRef
    FocusArea: URIRef
    FocusAreaClaim: URIRef
    FormedPoliceUnits: URIRef
    GenderSplitUnreliable: URIRef
    HasAdoptedPlan: URIRef
    HeadcountByCountryContributorKey: URIRef
    HeadcountByCountryStructure: URIRef
    InDevelopment: URIRef
    IndividualPolice: URIRef
    InternationalScope: URIRef
    LaterStage: URIRef
    MajorityOfSources: URIRef
    Mission: URIRef
    NationalActionPlan: URIRef
    NoPlanFound: URIRef
    NotResearched: URIRef
    ObservationStatusScheme: URIRef
    OneOrganisationsPages: URIRef
    ParityTargetStructure: URIRef
    Participation: URIRef
    PeriodExtended: URIRef
    PersonnelCategoryScheme: URIRef
    PillarScheme: URIRef
    PlanClaim: URIRef
    PlanInDevelopment: URIRef
    PlanStatusScheme: URIRef
    Police: URIRef
    Prevention: URIRef
    PrintedAsIs: URIRef
    Protection: URIRef
    Reconciliation: URIRef
    ReconciliationMethodScheme: URIRef
    Region: URIRef
    ReliefAndRecovery: URIRef
    ScopeScheme: URIRef
    SexualAndReproductiveHealth: URIRef
    StaffOfficers: URIRef
    StaffOfficersAndMilitaryObservers: URIRef
    StatedBySource: URIRef
    StatedContributionsContributorKey: URIRef
    StatedContributionsStructure: URIRef
    StatusClaim: URIRef
    ThemeClaim: URIRef
    ThemeMethodScheme: URIRef
    ThemeScheme: URIRef
    TraffickingInPersons: URIRef
    Troops: URIRef
    UNGeoscheme: URIRef
    Unresolved: URIRef
    ViolentExtremism: URIRef
    adoptedYear: URIRef
    asOf: URIRef
    chosenValue: URIRef
    claim: URIRef
    claimAbout: URIRef
    conflictingClaim: URIRef
    contextStatement: URIRef
    contributor: URIRef
    contributorSlice: URIRef
    country: URIRef
    dataSource: URIRef
    edition: URIRef
    endYear: URIRef
    evidenceDate: URIRef
    extendedEndYear: URIRef
    focusArea: URIRef
    hasPlan: URIRef
    headquarters: URIRef
    hostCountry: URIRef
    isFocusAreaOf: URIRef
    iso3166Alpha2: URIRef
    iso3166Alpha3: URIRef
    keywordPattern: URIRef
    lastYearInForce: URIRef
    matchedText: URIRef
    method: URIRef
    mission: URIRef
    missionSlice: URIRef
    napStatus: URIRef
    napStatusRecord: URIRef
    observationStatus: URIRef
    onProperty: URIRef
    personnelCategory: URIRef
    personnelCount: URIRef
    pillar: URIRef
    plan: URIRef
    planOf: URIRef
    position: URIRef
    reconciliation: URIRef
    refMonth: URIRef
    region: URIRef
    scope: URIRef
    sliceContributor: URIRef
    sliceMission: URIRef
    startYear: URIRef
    statedAdoptedYear: URIRef
    statedCountryName: URIRef
    statedDate: URIRef
    statedDescription: URIRef
    statedEdition: URIRef
    statedEndYear: URIRef
    statedExtendedEndYear: URIRef
    statedIn: URIRef
    statedPillar: URIRef
    statedPosition: URIRef
    statedStartYear: URIRef
    statedStatus: URIRef
    statedTheme: URIRef
    statedTitle: URIRef
    status: URIRef
    succeeds: URIRef
    supportingClaim: URIRef
    targetShareOfWomen: URIRef
    targetYear: URIRef
    theme: URIRef
    unM49: URIRef
    unMemberSince: URIRef
    unObserverState: URIRef
    womenCount: URIRef


QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

# Prefixes written into the Turtle dumps, in this order.
PREFIXES = {
    "wps": str(WPS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": str(DCAT),
    "prov": str(PROV),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "void": str(VOID),
    "spdx": str(SPDX),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
}
